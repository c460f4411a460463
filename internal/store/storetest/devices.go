package storetest

// deviceTests are the conformance tests of this area.
var deviceTests = []namedTest{}
