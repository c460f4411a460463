package policy

import "strings"

// keyID identifies where a condition key's request value comes from.
type keyID uint8

const (
	keyExtra keyID = iota // Context.Extra, looked up by full key name
	keyUserID
	keyUserName
	keyDomainName
	keyDomainID
	keyPrincipalAccount
	keyPrincipalURN
	keyRequestedRegion
	keyPrincipalTag // Context.PrincipalTags, looked up by tag key
	keySourceIP
	keyCurrentTime
	keyEpochTime
	keyMFAPresent
	keySecureTransport
	keyTagKeys
)

// builtinKeys maps lower-cased global keys to their Context field.
var builtinKeys = map[string]keyID{
	"g:userid":           keyUserID,
	"g:username":         keyUserName,
	"g:domainname":       keyDomainName,
	"g:domainid":         keyDomainID,
	"g:principalaccount": keyPrincipalAccount,
	"g:principalurn":     keyPrincipalURN,
	"g:requestedregion":  keyRequestedRegion,
	"g:sourceip":         keySourceIP,
	"g:currenttime":      keyCurrentTime,
	"g:epochtime":        keyEpochTime,
	"g:mfapresent":       keyMFAPresent,
	"g:securetransport":  keySecureTransport,
	"g:tagkeys":          keyTagKeys,
}

// extraGlobalKeys are the other Huawei global keys we accept; their values
// come from Context.Extra under the key as written in the policy.
var extraGlobalKeys = map[string]bool{
	"g:principaltype":                   true,
	"g:principalisrootuser":             true,
	"g:principalorgid":                  true,
	"g:principalorgpath":                true,
	"g:principalorgmanagementaccountid": true,
	"g:principalservicename":            true,
	"g:viaservice":                      true,
	"g:calledvia":                       true,
	"g:calledviafirst":                  true,
	"g:calledvialast":                   true,
	"g:sourcevpce":                      true,
	"g:sourcevpc":                       true,
	"g:vpcsourceip":                     true,
	"g:sourceaccount":                   true,
	"g:sourceurn":                       true,
	"g:sourceidentity":                  true,
	"g:useragent":                       true,
	"g:referer":                         true,
	"g:mfaage":                          true,
	"g:mfaauthtime":                     true,
	"g:tokenissuetime":                  true,
	"g:loginuserid":                     true,
	"g:projectid":                       true,
	"g:projectname":                     true,
	"g:federatedprovider":               true,
	"g:isserviceprincipal":              true,
	"g:resourceaccount":                 true,
	"g:resourceorgid":                   true,
	"g:resourceorgpath":                 true,
	"g:requestedregionid":               true,
}

// extraGlobalPrefixes are tag-style global keys ("g:ResourceTag/env").
var extraGlobalPrefixes = []string{"g:resourcetag/", "g:requesttag/"}

// valueType is the type of a key's request values, used to reject operator
// and key combinations that can never be true.
type valueType uint8

const (
	typeAny     valueType = iota // extra keys: strings, converted per operator
	typeString                   // single string
	typeStrings                  // multi-valued strings
	typeIP
	typeTime  // g:CurrentTime
	typeEpoch // g:EpochTime: a time usable with Date and Numeric operators
	typeBool
)

func (k keyID) valueType() valueType {
	switch k {
	case keyExtra:
		return typeAny
	case keyTagKeys:
		return typeStrings
	case keySourceIP:
		return typeIP
	case keyCurrentTime:
		return typeTime
	case keyEpochTime:
		return typeEpoch
	case keyMFAPresent, keySecureTransport:
		return typeBool
	}
	return typeString
}

// resolveKey maps a condition key as written in a policy to its source.
// arg is the tag key (keyPrincipalTag) or the full key (keyExtra). The
// returned reason is non-empty when the key is not acceptable.
func resolveKey(name string) (id keyID, arg, reason string) {
	colon := strings.IndexByte(name, ':')
	if colon <= 0 || colon == len(name)-1 {
		return 0, "", "condition key must have the form <service>:<key> (e.g. g:UserName)"
	}
	for _, r := range name[:colon] {
		if !isNameRune(r) {
			return 0, "", "invalid service prefix in condition key"
		}
	}
	for _, r := range name[colon+1:] {
		if r < 0x20 || r == 0x7f {
			return 0, "", "condition key contains a control character"
		}
	}
	lower := strings.ToLower(name)
	if !strings.HasPrefix(lower, "g:") {
		return keyExtra, name, ""
	}
	if id, ok := builtinKeys[lower]; ok {
		return id, "", ""
	}
	if extraGlobalKeys[lower] {
		return keyExtra, name, ""
	}
	const tagPrefix = "g:principaltag/"
	if strings.HasPrefix(lower, tagPrefix) && len(name) > len(tagPrefix) {
		return keyPrincipalTag, name[len(tagPrefix):], ""
	}
	for _, p := range extraGlobalPrefixes {
		if strings.HasPrefix(lower, p) && len(name) > len(p) {
			return keyExtra, name, ""
		}
	}
	return 0, "", "unknown global condition key"
}

// isNameRune reports whether r may appear in an action part or a service
// prefix: [A-Za-z0-9_-].
func isNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
}
