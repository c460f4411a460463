package storetest

// userSecretTests are the conformance tests of this area.
var userSecretTests = []namedTest{}
