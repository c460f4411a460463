package policy

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

const (
	allowAll    = `{"Effect":"Allow","Action":["*"]}`
	urnInstance = "identitycenter::0123456789abcdef:instance:ins-1"
)

var (
	tNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

	baseCtx = Context{
		UserID:           "u-1",
		UserName:         "alice",
		DomainName:       "acme",
		DomainID:         "d-1",
		PrincipalAccount: "0123456789abcdef",
		PrincipalURN:     "iam::0123456789abcdef:user:alice",
		RequestedRegion:  "cn-north-4",
		PrincipalTags:    []Tag{{"Department", "Finance"}, {"cost-center", "42"}},
		SourceIP:         netip.MustParseAddr("192.0.2.10"),
		CurrentTime:      tNow,
		MFAPresent:       BoolTrue,
		SecureTransport:  BoolFalse,
		TagKeys:          []string{"env", "team"},
		Extra: []KV{
			{"obs:prefix", []string{"home/alice/"}},
			{"ecs:flavor", []string{"s6.large.2"}},
			{"svc:count", []string{"7"}},
			{"svc:when", []string{"2025-01-01T00:00:00+08:00"}},
			{"svc:ip", []string{"10.1.2.3"}},
			{"svc:flag", []string{"TRUE"}},
			{"svc:multi", []string{"a", "b"}},
		},
	}
)

func ctxWith(f func(*Context)) *Context {
	c := baseCtx
	f(&c)
	return &c
}

func rq(action string, ctx *Context) Request {
	return Request{Action: action, Resource: urnInstance, Ctx: ctx}
}

// cond builds an Allow-everything statement guarded by one condition block.
func cond(block string) string {
	return v5(`{"Effect":"Allow","Action":["*"],"Condition":` + block + `}`)
}

func TestEvaluateCombining(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"no policies", nil, rq("iam:users:list", &baseCtx), EffectImplicitDeny},
		{"allow", []string{v5(allowAll)}, rq("iam:users:list", &baseCtx), EffectAllow},
		{"deny overrides allow in same policy", []string{v5(allowAll, `{"Effect":"Deny","Action":["iam:users:delete"]}`)},
			rq("iam:users:delete", &baseCtx), EffectDeny},
		{"deny overrides allow across policies", []string{v5(allowAll), v11(`{"Effect":"Deny","Action":["iam:*:delete"]}`)},
			rq("iam:users:delete", &baseCtx), EffectDeny},
		{"deny in earlier policy", []string{v11(`{"Effect":"Deny","Action":["iam:*:delete"]}`), v5(allowAll)},
			rq("iam:users:delete", &baseCtx), EffectDeny},
		{"deny not matching leaves allow", []string{v5(allowAll, `{"Effect":"Deny","Action":["iam:users:delete"]}`)},
			rq("iam:users:list", &baseCtx), EffectAllow},
		{"no matching allow is implicit deny", []string{v5(`{"Effect":"Allow","Action":["ecs:*:*"]}`)},
			rq("iam:users:list", &baseCtx), EffectImplicitDeny},
		{"deny alone is explicit", []string{v5(`{"Effect":"Deny","Action":["*"]}`)}, rq("iam:users:list", nil), EffectDeny},
		{"nil context", []string{v5(allowAll)}, Request{Action: "a:b:c"}, EffectAllow},
	})
}

func TestEvaluateActions(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"exact", []string{v5(`{"Effect":"Allow","Action":["iam:users:list"]}`)}, rq("iam:users:list", nil), EffectAllow},
		{"case-insensitive pattern", []string{v5(`{"Effect":"Allow","Action":["IAM:Users:LIST"]}`)}, rq("iam:users:list", nil), EffectAllow},
		{"case-insensitive request", []string{v5(`{"Effect":"Allow","Action":["iam:users:list"]}`)}, rq("IAM:USERS:List", nil), EffectAllow},
		{"star in verb", []string{v5(`{"Effect":"Allow","Action":["ecs:*:get*"]}`)}, rq("ecs:servers:getDetail", nil), EffectAllow},
		{"star in verb negative", []string{v5(`{"Effect":"Allow","Action":["ecs:*:get*"]}`)}, rq("ecs:servers:delete", nil), EffectImplicitDeny},
		{"star crosses colons", []string{v5(`{"Effect":"Allow","Action":["ecs:*"]}`)}, rq("ecs:servers:delete", nil), EffectAllow},
		{"question mark one char", []string{v5(`{"Effect":"Allow","Action":["iam:user?:list"]}`)}, rq("iam:users:list", nil), EffectAllow},
		{"question mark not zero chars", []string{v5(`{"Effect":"Allow","Action":["iam:users?:list"]}`)}, rq("iam:users:list", nil), EffectImplicitDeny},
		{"single string action", []string{v5(`{"Effect":"Allow","Action":"iam:users:list"}`)}, rq("iam:users:list", nil), EffectAllow},
		{"NotAction allows others", []string{v5(`{"Effect":"Allow","NotAction":["iam:*"]}`)}, rq("ecs:servers:list", nil), EffectAllow},
		{"NotAction excludes listed", []string{v5(`{"Effect":"Allow","NotAction":["iam:*"]}`)}, rq("IAM:users:list", nil), EffectImplicitDeny},
		{"Deny NotAction denies everything else", []string{v5(allowAll, `{"Effect":"Deny","NotAction":["iam:users:list","iam:users:get"]}`)},
			rq("iam:users:delete", nil), EffectDeny},
		{"non-ASCII action (rune matcher)", []string{v5(`{"Effect":"Allow","Action":["iam:*:l?st"]}`)}, rq("IAM:usérs:LÏST", nil), EffectAllow},
		{"non-ASCII action negative", []string{v5(`{"Effect":"Allow","Action":["iam:users:*"]}`)}, rq("iam:usérs:list", nil), EffectImplicitDeny},
		{"long action (rune matcher)", []string{v5(`{"Effect":"Allow","Action":["svc:*:x"]}`)}, rq("SVC:"+strings.Repeat("Ab", 200)+":X", nil), EffectAllow},
		{"Deny NotAction spares listed", []string{v5(allowAll, `{"Effect":"Deny","NotAction":["iam:users:list","iam:users:get"]}`)},
			rq("iam:users:get", nil), EffectAllow},
	})
}

func TestEvaluateResources(t *testing.T) {
	stmt := func(elem string) []string {
		return []string{v5(`{"Effect":"Allow","Action":["*"],` + elem + `}`)}
	}
	r := func(res string) Request { return Request{Action: "obs:object:get", Resource: res} }
	runEvalCases(t, []evalCase{
		{"absent = all", stmt(`"Sid":"x"`), r("obs:cn-north-4:1:object:b/k"), EffectAllow},
		{"star", stmt(`"Resource":["*"]`), r("obs:cn-north-4:1:object:b/k"), EffectAllow},
		{"star matches unscoped", stmt(`"Resource":["*"]`), r(""), EffectAllow},
		{"specific does not match unscoped", stmt(`"Resource":["obs:*:*:object:b/*"]`), r(""), EffectImplicitDeny},
		{"wildcard path", stmt(`"Resource":["obs:*:*:object:b/*"]`), r("obs:cn-north-4:1:object:b/k/x"), EffectAllow},
		{"other bucket", stmt(`"Resource":["obs:*:*:object:b/*"]`), r("obs:cn-north-4:1:object:c/k"), EffectImplicitDeny},
		{"case-sensitive path", stmt(`"Resource":["obs:*:*:object:B/*"]`), r("obs:cn-north-4:1:object:b/k"), EffectImplicitDeny},
		{"service segment case-insensitive", stmt(`"Resource":["OBS:*:*:object:b/*"]`), r("obs:cn-north-4:1:object:b/k"), EffectAllow},
		{"non-ASCII question mark is one character", stmt(`"Resource":["obs:*:*:object:b/?"]`), r("OBS:r:1:object:b/é"), EffectAllow},
		{"non-ASCII literal", stmt(`"Resource":["obs:*:*:object:b/é*"]`), r("obs:r:1:object:b/éx"), EffectAllow},
		{"non-ASCII literal negative", stmt(`"Resource":["obs:*:*:object:b/é*"]`), r("obs:r:1:object:b/e"), EffectImplicitDeny},
		{"question mark", stmt(`"Resource":["obs:*:*:object:b/?"]`), r("obs:r:1:object:b/k"), EffectAllow},
		{"NotResource other", stmt(`"NotResource":["obs:*:*:object:secret/*"]`), r("obs:r:1:object:b/k"), EffectAllow},
		{"NotResource excluded", stmt(`"NotResource":["obs:*:*:object:secret/*"]`), r("obs:r:1:object:secret/k"), EffectImplicitDeny},
		{"NotResource matches unscoped", stmt(`"NotResource":["obs:*:*:object:secret/*"]`), r(""), EffectAllow},
		{"Deny NotResource", []string{v5(allowAll, `{"Effect":"Deny","Action":["*"],"NotResource":["obs:*:*:object:public/*"]}`)},
			r("obs:r:1:object:private/x"), EffectDeny},
	})
}

func TestEvaluateStringOperators(t *testing.T) {
	a := func(ctx *Context) Request { return rq("iam:users:get", ctx) }
	runEvalCases(t, []evalCase{
		{"StringEquals+", []string{cond(`{"StringEquals":{"g:UserName":"alice"}}`)}, a(&baseCtx), EffectAllow},
		{"StringEquals-", []string{cond(`{"StringEquals":{"g:UserName":"Alice"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"StringEquals values OR", []string{cond(`{"StringEquals":{"g:UserName":["bob","alice"]}}`)}, a(&baseCtx), EffectAllow},
		{"StringNotEquals+", []string{cond(`{"StringNotEquals":{"g:UserName":["bob","carol"]}}`)}, a(&baseCtx), EffectAllow},
		{"StringNotEquals-", []string{cond(`{"StringNotEquals":{"g:UserName":["bob","alice"]}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"StringEqualsIgnoreCase+", []string{cond(`{"StringEqualsIgnoreCase":{"g:UserName":"ALICE"}}`)}, a(&baseCtx), EffectAllow},
		{"StringEqualsIgnoreCase-", []string{cond(`{"StringEqualsIgnoreCase":{"g:UserName":"bob"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"StringNotEqualsIgnoreCase+", []string{cond(`{"StringNotEqualsIgnoreCase":{"g:UserName":"BOB"}}`)}, a(&baseCtx), EffectAllow},
		{"StringNotEqualsIgnoreCase-", []string{cond(`{"StringNotEqualsIgnoreCase":{"g:UserName":"ALICE"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"StringLike+", []string{cond(`{"StringLike":{"g:PrincipalUrn":"iam::*:user:a*"}}`)}, a(&baseCtx), EffectAllow},
		{"StringLike-", []string{cond(`{"StringLike":{"g:PrincipalUrn":"iam::*:group:*"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"StringLike case-sensitive", []string{cond(`{"StringLike":{"g:UserName":"A*"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"StringNotLike+", []string{cond(`{"StringNotLike":{"g:UserName":"b*"}}`)}, a(&baseCtx), EffectAllow},
		{"StringNotLike-", []string{cond(`{"StringNotLike":{"g:UserName":"a?ice"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"StringStartWith+", []string{cond(`{"StringStartWith":{"g:RequestedRegion":"cn-"}}`)}, a(&baseCtx), EffectAllow},
		{"StringStartWith-", []string{cond(`{"StringStartWith":{"g:RequestedRegion":"ap-"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"StringEndWith+", []string{cond(`{"StringEndWith":{"g:UserName":"ice"}}`)}, a(&baseCtx), EffectAllow},
		{"StringNotEndWith-", []string{cond(`{"StringNotEndWith":{"g:UserName":"ice"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"StringNotStartWith+", []string{cond(`{"StringNotStartWith":{"g:UserName":"bo"}}`)}, a(&baseCtx), EffectAllow},
		{"key case-insensitive", []string{cond(`{"StringEquals":{"G:USERNAME":"alice"}}`)}, a(&baseCtx), EffectAllow},
		{"principal tag", []string{cond(`{"StringEquals":{"g:PrincipalTag/department":"Finance"}}`)}, a(&baseCtx), EffectAllow},
		{"principal tag value case-sensitive", []string{cond(`{"StringEquals":{"g:PrincipalTag/Department":"finance"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"principal tag absent", []string{cond(`{"StringNotEquals":{"g:PrincipalTag/Project":"x"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"all key ids", []string{cond(`{"StringEquals":{"g:UserId":"u-1","g:DomainName":"acme","g:DomainId":"d-1","g:PrincipalAccount":"0123456789abcdef"}}`)}, a(&baseCtx), EffectAllow},
		{"keys AND", []string{cond(`{"StringEquals":{"g:UserId":"u-1","g:DomainName":"other"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"operators AND", []string{cond(`{"StringEquals":{"g:UserId":"u-1"},"Bool":{"g:SecureTransport":"true"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"service key", []string{cond(`{"StringLike":{"obs:prefix":"home/alice/*"}}`)}, a(&baseCtx), EffectAllow},
		{"service key case-insensitive", []string{cond(`{"StringLike":{"OBS:Prefix":"home/alice/*"}}`)}, a(&baseCtx), EffectAllow},
		{"service key absent", []string{cond(`{"StringLike":{"obs:delimiter":"/"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"unqualified multi-valued positive", []string{cond(`{"StringEquals":{"svc:multi":"b"}}`)}, a(&baseCtx), EffectAllow},
		{"unqualified multi-valued negated", []string{cond(`{"StringNotEquals":{"svc:multi":"b"}}`)}, a(&baseCtx), EffectImplicitDeny},
	})
}

func TestEvaluateMissingKeysAndIfExists(t *testing.T) {
	a := func(ctx *Context) Request { return rq("iam:users:get", ctx) }
	empty := &Context{}
	runEvalCases(t, []evalCase{
		{"absent positive false", []string{cond(`{"StringEquals":{"g:UserName":"alice"}}`)}, a(empty), EffectImplicitDeny},
		{"absent negated false", []string{cond(`{"StringNotEquals":{"g:UserName":"alice"}}`)}, a(empty), EffectImplicitDeny},
		{"absent IfExists true", []string{cond(`{"StringEqualsIfExists":{"g:UserName":"alice"}}`)}, a(empty), EffectAllow},
		{"present IfExists evaluates+", []string{cond(`{"StringEqualsIfExists":{"g:UserName":"alice"}}`)}, a(&baseCtx), EffectAllow},
		{"present IfExists evaluates-", []string{cond(`{"StringEqualsIfExists":{"g:UserName":"bob"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"NotIpAddressIfExists absent", []string{cond(`{"NotIpAddressIfExists":{"g:SourceIp":"10.0.0.0/8"}}`)}, a(empty), EffectAllow},
		{"NumericLessThanIfExists absent", []string{cond(`{"NumericLessThanIfExists":{"svc:count":"3"}}`)}, a(empty), EffectAllow},
		{"DateGreaterThanIfExists absent", []string{cond(`{"DateGreaterThanIfExists":{"g:CurrentTime":"2020-01-01T00:00:00Z"}}`)}, a(empty), EffectAllow},
		{"BoolIfExists absent", []string{cond(`{"BoolIfExists":{"g:MFAPresent":"true"}}`)}, a(empty), EffectAllow},
		{"Null true absent", []string{cond(`{"Null":{"g:UserName":"true"}}`)}, a(empty), EffectAllow},
		{"Null true present", []string{cond(`{"Null":{"g:UserName":"true"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"Null false present", []string{cond(`{"Null":{"g:SourceIp":false}}`)}, a(&baseCtx), EffectAllow},
		{"Null false absent", []string{cond(`{"Null":{"g:SourceIp":false}}`)}, a(empty), EffectImplicitDeny},
		{"Null tag", []string{cond(`{"Null":{"g:PrincipalTag/Project":"true"}}`)}, a(&baseCtx), EffectAllow},
		{"Null MFA false present", []string{cond(`{"Null":{"g:MFAPresent":"false"}}`)}, a(ctxWith(func(c *Context) { c.MFAPresent = BoolFalse })), EffectAllow},
		{"empty extra values absent", []string{cond(`{"Null":{"svc:none":"true"}}`)}, a(ctxWith(func(c *Context) { c.Extra = []KV{{"svc:none", nil}} })), EffectAllow},
	})
}

func TestEvaluateSetOperators(t *testing.T) {
	a := func(ctx *Context) Request { return rq("iam:users:tag", ctx) }
	noTags := ctxWith(func(c *Context) { c.TagKeys = nil })
	runEvalCases(t, []evalCase{
		{"ForAllValues subset", []string{cond(`{"ForAllValues:StringEquals":{"g:TagKeys":["env","team","owner"]}}`)}, a(&baseCtx), EffectAllow},
		{"ForAllValues not subset", []string{cond(`{"ForAllValues:StringEquals":{"g:TagKeys":["env"]}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"ForAllValues empty set true", []string{cond(`{"ForAllValues:StringEquals":{"g:TagKeys":["env"]}}`)}, a(noTags), EffectAllow},
		{"ForAllValues absent extra true", []string{cond(`{"ForAllValues:StringLike":{"svc:absent":["x*"]}}`)}, a(&baseCtx), EffectAllow},
		{"ForAnyValue one matches", []string{cond(`{"ForAnyValue:StringEquals":{"g:TagKeys":["team","x"]}}`)}, a(&baseCtx), EffectAllow},
		{"ForAnyValue none", []string{cond(`{"ForAnyValue:StringEquals":{"g:TagKeys":["x"]}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"ForAnyValue empty set false", []string{cond(`{"ForAnyValue:StringEquals":{"g:TagKeys":["env"]}}`)}, a(noTags), EffectImplicitDeny},
		{"ForAnyValue StringNotEquals some other", []string{cond(`{"ForAnyValue:StringNotEquals":{"g:TagKeys":["env"]}}`)}, a(&baseCtx), EffectAllow},
		{"ForAllValues StringNotEquals forbidden present", []string{cond(`{"ForAllValues:StringNotEquals":{"g:TagKeys":["team"]}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"ForAllValues StringNotEquals forbidden absent", []string{cond(`{"ForAllValues:StringNotEquals":{"g:TagKeys":["secret"]}}`)}, a(&baseCtx), EffectAllow},
		{"ForAnyValue on single-valued key", []string{cond(`{"ForAnyValue:StringLike":{"g:UserName":"al*"}}`)}, a(&baseCtx), EffectAllow},
		{"ForAllValues case-insensitive key", []string{cond(`{"ForAllValues:StringEqualsIgnoreCase":{"G:TAGKEYS":["ENV","TEAM"]}}`)}, a(&baseCtx), EffectAllow},
		{"ForAnyValue IfExists absent", []string{cond(`{"ForAnyValue:StringEqualsIfExists":{"g:TagKeys":["env"]}}`)}, a(noTags), EffectAllow},
	})
}

func TestEvaluateNumericDateBoolIP(t *testing.T) {
	a := func(ctx *Context) Request { return rq("iam:users:get", ctx) }
	v6 := ctxWith(func(c *Context) { c.SourceIP = netip.MustParseAddr("2001:db8::1") })
	mapped := ctxWith(func(c *Context) { c.SourceIP = netip.MustParseAddr("::ffff:192.0.2.10") })
	runEvalCases(t, []evalCase{
		{"NumericEquals+", []string{cond(`{"NumericEquals":{"svc:count":7}}`)}, a(&baseCtx), EffectAllow},
		{"NumericEquals float", []string{cond(`{"NumericEquals":{"svc:count":"7.0"}}`)}, a(&baseCtx), EffectAllow},
		{"NumericEquals-", []string{cond(`{"NumericEquals":{"svc:count":8}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"NumericNotEquals+", []string{cond(`{"NumericNotEquals":{"svc:count":[8,9]}}`)}, a(&baseCtx), EffectAllow},
		{"NumericNotEquals-", []string{cond(`{"NumericNotEquals":{"svc:count":[7,9]}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"NumericLessThan+", []string{cond(`{"NumericLessThan":{"svc:count":"8"}}`)}, a(&baseCtx), EffectAllow},
		{"NumericLessThan-", []string{cond(`{"NumericLessThan":{"svc:count":"7"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"NumericLessThanEquals+", []string{cond(`{"NumericLessThanEquals":{"svc:count":"7"}}`)}, a(&baseCtx), EffectAllow},
		{"NumericLessThanEquals-", []string{cond(`{"NumericLessThanEquals":{"svc:count":"6.5"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"NumericGreaterThan+", []string{cond(`{"NumericGreaterThan":{"svc:count":"-1e1"}}`)}, a(&baseCtx), EffectAllow},
		{"NumericGreaterThan-", []string{cond(`{"NumericGreaterThan":{"svc:count":"7"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"NumericGreaterThanEquals+", []string{cond(`{"NumericGreaterThanEquals":{"svc:count":"7"}}`)}, a(&baseCtx), EffectAllow},
		{"NumericGreaterThanEquals-", []string{cond(`{"NumericGreaterThanEquals":{"svc:count":"7.01"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"Numeric unparseable request value", []string{cond(`{"NumericNotEquals":{"obs:prefix":"1"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"EpochTime numeric", []string{cond(`{"NumericGreaterThan":{"g:EpochTime":1700000000}}`)}, a(&baseCtx), EffectAllow},
		{"DateEquals+", []string{cond(`{"DateEquals":{"g:CurrentTime":"2025-06-01T20:00:00+08:00"}}`)}, a(&baseCtx), EffectAllow},
		{"DateEquals-", []string{cond(`{"DateEquals":{"g:CurrentTime":"2025-06-01T12:00:01Z"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"DateNotEquals+", []string{cond(`{"DateNotEquals":{"g:CurrentTime":"2025-06-01T12:00:01Z"}}`)}, a(&baseCtx), EffectAllow},
		{"DateNotEquals-", []string{cond(`{"DateNotEquals":{"g:CurrentTime":"2025-06-01T12:00:00Z"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"DateLessThan+", []string{cond(`{"DateLessThan":{"g:CurrentTime":"2025-12-31T23:59:59Z"}}`)}, a(&baseCtx), EffectAllow},
		{"DateLessThan-", []string{cond(`{"DateLessThan":{"g:CurrentTime":"2025-06-01T12:00:00Z"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"DateLessThanEquals+", []string{cond(`{"DateLessThanEquals":{"g:CurrentTime":"2025-06-01T12:00:00Z"}}`)}, a(&baseCtx), EffectAllow},
		{"DateGreaterThan epoch+", []string{cond(`{"DateGreaterThan":{"g:CurrentTime":1700000000}}`)}, a(&baseCtx), EffectAllow},
		{"DateGreaterThan-", []string{cond(`{"DateGreaterThan":{"g:CurrentTime":"2030-01-01T00:00:00Z"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"DateGreaterThanEquals+", []string{cond(`{"DateGreaterThanEquals":{"g:CurrentTime":"2025-06-01T12:00:00.000Z"}}`)}, a(&baseCtx), EffectAllow},
		{"Date on extra key", []string{cond(`{"DateLessThan":{"svc:when":"2025-01-01T00:00:00Z"}}`)}, a(&baseCtx), EffectAllow},
		{"Bool true+", []string{cond(`{"Bool":{"g:MFAPresent":"true"}}`)}, a(&baseCtx), EffectAllow},
		{"Bool json true+", []string{cond(`{"Bool":{"g:MFAPresent":true}}`)}, a(&baseCtx), EffectAllow},
		{"Bool-", []string{cond(`{"Bool":{"g:SecureTransport":"true"}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"Bool false+", []string{cond(`{"Bool":{"g:SecureTransport":"false"}}`)}, a(&baseCtx), EffectAllow},
		{"Bool extra case-insensitive", []string{cond(`{"Bool":{"svc:flag":"true"}}`)}, a(&baseCtx), EffectAllow},
		{"IpAddress v4 CIDR+", []string{cond(`{"IpAddress":{"g:SourceIp":"192.0.2.0/24"}}`)}, a(&baseCtx), EffectAllow},
		{"IpAddress v4 single+", []string{cond(`{"IpAddress":{"g:SourceIp":"192.0.2.10"}}`)}, a(&baseCtx), EffectAllow},
		{"IpAddress v4-", []string{cond(`{"IpAddress":{"g:SourceIp":["203.0.113.0/24","198.51.100.0/24"]}}`)}, a(&baseCtx), EffectImplicitDeny},
		{"IpAddress v4 non-canonical CIDR", []string{cond(`{"IpAddress":{"g:SourceIp":"192.0.2.77/24"}}`)}, a(&baseCtx), EffectAllow},
		{"IpAddress v6+", []string{cond(`{"IpAddress":{"g:SourceIp":"2001:db8::/32"}}`)}, a(v6), EffectAllow},
		{"IpAddress v6-", []string{cond(`{"IpAddress":{"g:SourceIp":"2001:db9::/32"}}`)}, a(v6), EffectImplicitDeny},
		{"IpAddress v6 request vs v4 CIDR", []string{cond(`{"IpAddress":{"g:SourceIp":"0.0.0.0/0"}}`)}, a(v6), EffectImplicitDeny},
		{"IpAddress v4-mapped request", []string{cond(`{"IpAddress":{"g:SourceIp":"192.0.2.0/24"}}`)}, a(mapped), EffectAllow},
		{"NotIpAddress+", []string{cond(`{"NotIpAddress":{"g:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}`)}, a(&baseCtx), EffectAllow},
		{"NotIpAddress-", []string{cond(`{"NotIpAddress":{"g:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}`)}, a(v6), EffectImplicitDeny},
		{"IpAddress extra key", []string{cond(`{"IpAddress":{"svc:ip":"10.0.0.0/8"}}`)}, a(&baseCtx), EffectAllow},
	})
}

func TestEvaluateDecisionIndices(t *testing.T) {
	ps := compileAll(t, []string{
		v5(`{"Sid":"A","Effect":"Allow","Action":["ecs:*:*"]}`),
		v5(`{"Effect":"Allow","Action":["iam:*:*"]}`, `{"Sid":"B","Effect":"Allow","Action":["iam:users:*"]}`),
		v5(`{"Sid":"D","Effect":"Deny","Action":["iam:users:delete"]}`),
	})
	tests := []struct {
		action string
		want   Decision
	}{
		{"iam:users:list", Decision{Allowed: true, Effect: EffectAllow, Policy: 1, Statement: 0}},
		{"ecs:servers:list", Decision{Allowed: true, Effect: EffectAllow, Policy: 0, Statement: 0, Sid: "A"}},
		{"iam:users:delete", Decision{Effect: EffectDeny, Policy: 2, Statement: 0, Sid: "D"}},
		{"vpc:vpcs:list", Decision{Effect: EffectImplicitDeny, Policy: -1, Statement: -1}},
	}
	for _, tc := range tests {
		if got := Evaluate(ps, &Request{Action: tc.action}); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.action, got, tc.want)
		}
	}
	// nil entries are skipped but keep their index.
	if got := Evaluate([]*Compiled{nil, ps[2]}, &Request{Action: "iam:users:delete"}); got.Policy != 1 {
		t.Errorf("nil policy: got %+v", got)
	}
}
