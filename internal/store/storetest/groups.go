package storetest

// groupTests are the conformance tests of this area.
var groupTests = []namedTest{}
