package storetest

// sourceTests are the conformance tests of this area.
var sourceTests = []namedTest{}
