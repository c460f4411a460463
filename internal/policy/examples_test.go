package policy

import (
	"net/netip"
	"testing"
	"time"
)

// TestDocumentedExamples replays policy-evaluation examples from the AWS IAM
// User Guide and the Huawei Cloud IAM documentation. AWS global keys are
// translated to their Huawei equivalents (aws:SourceIp -> g:SourceIp,
// aws:MultiFactorAuthPresent -> g:MFAPresent, ...), ARNs to URNs.
func TestDocumentedExamples(t *testing.T) {
	ctx := func(f func(*Context)) *Context {
		c := &Context{UserName: "alice", CurrentTime: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)}
		if f != nil {
			f(c)
		}
		return c
	}
	req := func(action string, c *Context) Request { return Request{Action: action, Ctx: c} }
	resReq := func(action, res string, c *Context) Request { return Request{Action: action, Resource: res, Ctx: c} }
	ip := func(s string) func(*Context) { return func(c *Context) { c.SourceIP = netip.MustParseAddr(s) } }
	mfa := func(o OptionalBool) func(*Context) { return func(c *Context) { c.MFAPresent = o } }
	tags := func(k ...string) func(*Context) { return func(c *Context) { c.TagKeys = k } }
	region := func(r string) func(*Context) { return func(c *Context) { c.RequestedRegion = r } }
	extra := func(k string, v ...string) func(*Context) {
		return func(c *Context) { c.Extra = append(c.Extra, KV{k, v}) }
	}

	// Huawei IAM "Policy Syntax" page (usermanual-iam/iam_01_0019): the OBS
	// example with StringEndWithIfExists on g:UserName and Bool g:MFAPresent.
	huaweiSyntax := v11(`{"Effect":"Allow","Action":["obs:bucket:ListAllMyBuckets","obs:bucket:HeadBucket","obs:bucket:ListBucket","obs:bucket:GetBucketLocation"],
		"Condition":{"StringEndWithIfExists":{"g:UserName":["specialCharacter"]},"Bool":{"g:MFAPresent":["true"]}},
		"Resource":["obs:*:*:bucket:*"]}`)
	// Huawei IAM custom policy example: OBS Administrator plus a custom
	// policy denying obs:bucket:DeleteBucket ("Deny takes precedence").
	obsAdmin := `{"Version":"1.1","Statement":[{"Action":["obs:*:*"],"Effect":"Allow"}]}`
	denyDeleteBucket := v11(`{"Effect":"Deny","Action":["obs:bucket:DeleteBucket"]}`)
	// Huawei IAM custom policy example: ECS read-only (ecs:*:get*, ecs:*:list*).
	ecsReadOnly := v11(`{"Effect":"Allow","Action":["ecs:*:get*","ecs:*:list*"]}`)
	// Huawei IAM custom policy example: all ECS operations except deleting
	// servers (Allow ecs:*:* with a Deny on ecs:cloudServers:delete).
	ecsNoDelete := v11(`{"Effect":"Allow","Action":["ecs:*:*"]}`, `{"Effect":"Deny","Action":["ecs:cloudServers:delete"]}`)
	// Huawei legacy 1.0 RBAC role with Depends (e.g. "Server Administrator").
	rbacRole := `{"Version":"1.0","Statement":[{"Action":["ecs:*:*","evs:*:get","vpc:*:list"],"Effect":"Allow"}],
		"Depends":[{"catalog":"BASE","display_name":"Server Administrator"}]}`
	// Huawei IAM 5.0 "JSON Element Reference": two statements, OBS list + ECS get/list.
	huawei5Elements := v5(`{"Effect":"Allow","Action":["obs:bucket:listBucket"]}`, `{"Effect":"Allow","Action":["ecs:servers:get","ecs:servers:list"]}`)
	// Huawei IAM 5.0: grant access to one bucket by URN.
	huawei5Bucket := v5(`{"Effect":"Allow","Action":["obs:bucket:*","obs:object:*"],"Resource":["obs:*:*:bucket:example-bucket","obs:*:*:object:example-bucket/*"]}`)

	// AWS "Policy evaluation logic": explicit deny in any policy overrides allows.
	awsAllowS3 := v5(`{"Effect":"Allow","Action":"s3:*:*","Resource":"*"}`)
	awsDenyDelete := v5(`{"Effect":"Deny","Action":"s3:bucket:DeleteBucket","Resource":"*"}`)
	// AWS condition operators doc / example "Denies access to AWS based on the
	// source IP" (NotIpAddress aws:SourceIp 192.0.2.0/24, 203.0.113.0/24).
	awsDenyIP := v5(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"g:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}}`)
	// AWS condition operators doc: IpAddress with an IPv6 range (2001:DB8:1234:5678::/64).
	awsAllowIPv6 := v5(`{"Effect":"Allow","Action":"*","Condition":{"IpAddress":{"g:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]}}}`)
	// AWS MFA doc: Deny with BoolIfExists aws:MultiFactorAuthPresent false
	// denies requests without MFA, including long-term keys (key absent).
	awsDenyNoMFA := v5(`{"Effect":"Deny","Action":"*","Condition":{"BoolIfExists":{"g:MFAPresent":"false"}}}`)
	// AWS MFA doc: Allow with Bool aws:MultiFactorAuthPresent true does not
	// allow long-term keys (key absent -> condition false).
	awsAllowMFA := v5(`{"Effect":"Allow","Action":"*","Condition":{"Bool":{"g:MFAPresent":"true"}}}`)
	// AWS Null operator doc: Null aws:TokenIssueTime true matches long-term credentials.
	awsNullToken := v5(`{"Effect":"Deny","Action":"*","Condition":{"Null":{"g:TokenIssueTime":"true"}}}`)
	// AWS example "Allows access within specific dates" (aws:CurrentTime window).
	awsDates := v5(`{"Effect":"Allow","Action":"ecs:*:*","Condition":{"DateGreaterThan":{"g:CurrentTime":"2020-04-01T00:00:00Z"},"DateLessThan":{"g:CurrentTime":"2020-06-30T23:59:59Z"}}}`)
	// AWS multivalued keys doc: ForAllValues:StringLike aws:TagKeys ["key1*"];
	// true when the request has no tags at all.
	awsForAll := v5(`{"Effect":"Allow","Action":"*","Condition":{"ForAllValues:StringLike":{"g:TagKeys":["key1*"]}}}`)
	// AWS multivalued keys doc: ForAnyValue:StringEquals aws:TagKeys
	// ["environment","cost-center"]; false with no tags.
	awsForAny := v5(`{"Effect":"Allow","Action":"*","Condition":{"ForAnyValue:StringEquals":{"g:TagKeys":["environment","cost-center"]}}}`)
	// AWS condition operators doc: StringEquals aws:PrincipalTag/job-category "iamuser-admin".
	awsPrincipalTag := v5(`{"Effect":"Allow","Action":"iam:*:*","Condition":{"StringEquals":{"g:PrincipalTag/job-category":"iamuser-admin"}}}`)
	// AWS example "Deny access to AWS based on the requested Region"
	// (Deny NotAction global services + StringNotEquals aws:RequestedRegion).
	awsRegion := v5(allowAll, `{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"g:RequestedRegion":["eu-central-1","eu-west-1"]}}}`)
	// AWS S3 example: NumericLessThanEquals s3:max-keys 10.
	awsMaxKeys := v5(`{"Effect":"Allow","Action":"obs:bucket:listBucket","Condition":{"NumericLessThanEquals":{"obs:max-keys":"10"}}}`)
	// AWS S3 example: StringLike s3:prefix "home/*" for ListBucket.
	awsPrefix := v5(`{"Effect":"Allow","Action":"obs:bucket:listBucket","Condition":{"StringLike":{"obs:prefix":["","home/*"]}}}`)
	// AWS S3 example: deny non-TLS requests (Bool aws:SecureTransport false).
	awsTLS := v5(allowAll, `{"Effect":"Deny","Action":"obs:*","Condition":{"Bool":{"g:SecureTransport":"false"}}}`)
	// AWS NotAction doc: Deny with NotAction iam:* denies everything outside IAM.
	awsNotAction := v5(allowAll, `{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}`)
	// AWS NotResource doc: Deny everything except one bucket via NotResource.
	awsNotResource := v5(allowAll, `{"Effect":"Deny","Action":"obs:*","NotResource":["obs:*:*:bucket:examplebucket","obs:*:*:object:examplebucket/*"]}`)
	// AWS example: NumericLessThanEquals aws:EpochTime (credentials valid until a time).
	awsEpoch := v5(`{"Effect":"Allow","Action":"*","Condition":{"NumericLessThanEquals":{"g:EpochTime":"1590969600"}}}`)
	// AWS DynamoDB example: ForAllValues:StringEquals dynamodb:Attributes (subset check).
	awsAttrs := v5(`{"Effect":"Allow","Action":"ddb:table:get*","Condition":{"ForAllValues:StringEquals":{"ddb:Attributes":["ID","Message","Tags"]}}}`)

	runEvalCases(t, []evalCase{
		{"huawei syntax: suffix and MFA", []string{huaweiSyntax}, resReq("obs:bucket:ListBucket", "obs:cn-north-4:acc:bucket:b1", ctx(func(c *Context) { c.UserName = "x_specialCharacter"; c.MFAPresent = BoolTrue })), EffectAllow},
		{"huawei syntax: no MFA", []string{huaweiSyntax}, req("obs:bucket:ListBucket", ctx(func(c *Context) { c.UserName = "x_specialCharacter" })), EffectImplicitDeny},
		{"huawei syntax: wrong suffix", []string{huaweiSyntax}, req("obs:bucket:ListBucket", ctx(mfa(BoolTrue))), EffectImplicitDeny},
		{"huawei syntax: absent user name IfExists", []string{huaweiSyntax}, resReq("obs:bucket:HeadBucket", "obs:cn-north-4:acc:bucket:b1", ctx(func(c *Context) { c.UserName = ""; c.MFAPresent = BoolTrue })), EffectAllow},
		{"huawei syntax: bucket resource", []string{huaweiSyntax}, resReq("obs:bucket:ListBucket", "obs:cn-north-4:acc:bucket:b1", ctx(func(c *Context) { c.UserName = "specialCharacter"; c.MFAPresent = BoolTrue })), EffectAllow},
		{"huawei syntax: object resource not covered", []string{huaweiSyntax}, resReq("obs:bucket:ListBucket", "obs:cn-north-4:acc:object:b1/k", ctx(func(c *Context) { c.UserName = "specialCharacter"; c.MFAPresent = BoolTrue })), EffectImplicitDeny},
		{"huawei deny DeleteBucket", []string{obsAdmin, denyDeleteBucket}, req("obs:bucket:DeleteBucket", ctx(nil)), EffectDeny},
		{"huawei deny DeleteBucket keeps ListBucket", []string{obsAdmin, denyDeleteBucket}, req("obs:bucket:ListBucket", ctx(nil)), EffectAllow},
		{"huawei deny DeleteBucket alone", []string{denyDeleteBucket}, req("obs:bucket:ListBucket", ctx(nil)), EffectImplicitDeny},
		{"huawei ecs read-only get", []string{ecsReadOnly}, req("ecs:cloudServers:get", ctx(nil)), EffectAllow},
		{"huawei ecs read-only list", []string{ecsReadOnly}, req("ecs:cloudServerFlavors:list", ctx(nil)), EffectAllow},
		{"huawei ecs read-only no delete", []string{ecsReadOnly}, req("ecs:cloudServers:delete", ctx(nil)), EffectImplicitDeny},
		{"huawei ecs except delete: delete", []string{ecsNoDelete}, req("ecs:cloudServers:delete", ctx(nil)), EffectDeny},
		{"huawei ecs except delete: reboot", []string{ecsNoDelete}, req("ecs:cloudServers:reboot", ctx(nil)), EffectAllow},
		{"huawei 1.0 RBAC role", []string{rbacRole}, req("ecs:servers:create", ctx(nil)), EffectAllow},
		{"huawei 1.0 RBAC role other service", []string{rbacRole}, req("evs:volumes:delete", ctx(nil)), EffectImplicitDeny},
		{"huawei 5.0 element reference ecs", []string{huawei5Elements}, req("ecs:servers:list", ctx(nil)), EffectAllow},
		{"huawei 5.0 element reference obs case", []string{huawei5Elements}, req("obs:bucket:ListBucket", ctx(nil)), EffectAllow},
		{"huawei 5.0 bucket by URN", []string{huawei5Bucket}, resReq("obs:object:getObject", "obs:cn-north-4:acc:object:example-bucket/a.txt", ctx(nil)), EffectAllow},
		{"huawei 5.0 other bucket", []string{huawei5Bucket}, resReq("obs:object:getObject", "obs:cn-north-4:acc:object:other/a.txt", ctx(nil)), EffectImplicitDeny},
		{"aws explicit deny overrides", []string{awsAllowS3, awsDenyDelete}, req("s3:bucket:DeleteBucket", ctx(nil)), EffectDeny},
		{"aws allow without deny", []string{awsAllowS3, awsDenyDelete}, req("s3:bucket:CreateBucket", ctx(nil)), EffectAllow},
		{"aws default implicit deny", nil, req("s3:bucket:CreateBucket", ctx(nil)), EffectImplicitDeny},
		{"aws source ip outside", []string{allowAllDoc, awsDenyIP}, req("ecs:servers:list", ctx(ip("198.51.100.7"))), EffectDeny},
		{"aws source ip inside", []string{allowAllDoc, awsDenyIP}, req("ecs:servers:list", ctx(ip("203.0.113.99"))), EffectAllow},
		{"aws source ip absent (service call)", []string{allowAllDoc, awsDenyIP}, req("ecs:servers:list", ctx(nil)), EffectAllow},
		{"aws ipv6 range inside", []string{awsAllowIPv6}, req("ecs:servers:list", ctx(ip("2001:db8:1234:5678::9"))), EffectAllow},
		{"aws ipv6 range outside", []string{awsAllowIPv6}, req("ecs:servers:list", ctx(ip("2001:db8:1234:5679::9"))), EffectImplicitDeny},
		{"aws BoolIfExists MFA false denies", []string{allowAllDoc, awsDenyNoMFA}, req("ecs:servers:list", ctx(mfa(BoolFalse))), EffectDeny},
		{"aws BoolIfExists MFA absent denies", []string{allowAllDoc, awsDenyNoMFA}, req("ecs:servers:list", ctx(nil)), EffectDeny},
		{"aws BoolIfExists MFA true allows", []string{allowAllDoc, awsDenyNoMFA}, req("ecs:servers:list", ctx(mfa(BoolTrue))), EffectAllow},
		{"aws Bool MFA true allows", []string{awsAllowMFA}, req("ecs:servers:list", ctx(mfa(BoolTrue))), EffectAllow},
		{"aws Bool MFA absent does not allow", []string{awsAllowMFA}, req("ecs:servers:list", ctx(nil)), EffectImplicitDeny},
		{"aws Null token issue time absent", []string{allowAllDoc, awsNullToken}, req("ecs:servers:list", ctx(nil)), EffectDeny},
		{"aws Null token issue time present", []string{allowAllDoc, awsNullToken}, req("ecs:servers:list", ctx(extra("g:TokenIssueTime", "2020-05-01T00:00:00Z"))), EffectAllow},
		{"aws date window inside", []string{awsDates}, req("ecs:servers:list", ctx(nil)), EffectAllow},
		{"aws date window after", []string{awsDates}, req("ecs:servers:list", ctx(func(c *Context) { c.CurrentTime = time.Date(2020, 7, 1, 0, 0, 0, 0, time.UTC) })), EffectImplicitDeny},
		{"aws date window absent time", []string{awsDates}, req("ecs:servers:list", ctx(func(c *Context) { c.CurrentTime = time.Time{} })), EffectImplicitDeny},
		{"aws ForAllValues empty set", []string{awsForAll}, req("ecs:servers:tag", ctx(nil)), EffectAllow},
		{"aws ForAllValues matching", []string{awsForAll}, req("ecs:servers:tag", ctx(tags("key1", "key1a"))), EffectAllow},
		{"aws ForAllValues one outside", []string{awsForAll}, req("ecs:servers:tag", ctx(tags("key1", "key2"))), EffectImplicitDeny},
		{"aws ForAnyValue one match", []string{awsForAny}, req("ecs:servers:tag", ctx(tags("owner", "environment"))), EffectAllow},
		{"aws ForAnyValue empty set", []string{awsForAny}, req("ecs:servers:tag", ctx(nil)), EffectImplicitDeny},
		{"aws principal tag match", []string{awsPrincipalTag}, req("iam:users:create", ctx(func(c *Context) { c.PrincipalTags = []Tag{{"Job-Category", "iamuser-admin"}} })), EffectAllow},
		{"aws principal tag other", []string{awsPrincipalTag}, req("iam:users:create", ctx(func(c *Context) { c.PrincipalTags = []Tag{{"job-category", "dev"}} })), EffectImplicitDeny},
		{"aws requested region allowed", []string{awsRegion}, req("ecs:servers:list", ctx(region("eu-west-1"))), EffectAllow},
		{"aws requested region denied", []string{awsRegion}, req("ecs:servers:list", ctx(region("us-east-1"))), EffectDeny},
		{"aws requested region global service", []string{awsRegion}, req("iam:users:list", ctx(region("us-east-1"))), EffectAllow},
		{"aws requested region absent", []string{awsRegion}, req("ecs:servers:list", ctx(nil)), EffectAllow},
		{"aws max-keys within", []string{awsMaxKeys}, req("obs:bucket:listBucket", ctx(extra("obs:max-keys", "10"))), EffectAllow},
		{"aws max-keys over", []string{awsMaxKeys}, req("obs:bucket:listBucket", ctx(extra("obs:max-keys", "1000"))), EffectImplicitDeny},
		{"aws prefix home", []string{awsPrefix}, req("obs:bucket:listBucket", ctx(extra("obs:prefix", "home/alice/"))), EffectAllow},
		{"aws prefix root", []string{awsPrefix}, req("obs:bucket:listBucket", ctx(extra("obs:prefix", ""))), EffectAllow},
		{"aws prefix other", []string{awsPrefix}, req("obs:bucket:listBucket", ctx(extra("obs:prefix", "private/"))), EffectImplicitDeny},
		{"aws secure transport false", []string{awsTLS}, req("obs:object:get", ctx(func(c *Context) { c.SecureTransport = BoolFalse })), EffectDeny},
		{"aws secure transport true", []string{awsTLS}, req("obs:object:get", ctx(func(c *Context) { c.SecureTransport = BoolTrue })), EffectAllow},
		{"aws NotAction deny outside iam", []string{awsNotAction}, req("ecs:servers:list", ctx(nil)), EffectDeny},
		{"aws NotAction iam allowed", []string{awsNotAction}, req("iam:users:list", ctx(nil)), EffectAllow},
		{"aws NotResource other bucket", []string{awsNotResource}, resReq("obs:object:get", "obs:r:a:object:other/k", ctx(nil)), EffectDeny},
		{"aws NotResource example bucket", []string{awsNotResource}, resReq("obs:object:get", "obs:r:a:object:examplebucket/k", ctx(nil)), EffectAllow},
		{"aws EpochTime before", []string{awsEpoch}, req("ecs:servers:list", ctx(nil)), EffectAllow},
		{"aws EpochTime after", []string{awsEpoch}, req("ecs:servers:list", ctx(func(c *Context) { c.CurrentTime = time.Unix(1590969601, 0) })), EffectImplicitDeny},
		{"aws ForAllValues attributes subset", []string{awsAttrs}, req("ddb:table:getItem", ctx(extra("ddb:Attributes", "ID", "Message"))), EffectAllow},
		{"aws ForAllValues attributes extra", []string{awsAttrs}, req("ddb:table:getItem", ctx(extra("ddb:Attributes", "ID", "Secret"))), EffectImplicitDeny},
	})
}

var allowAllDoc = v5(allowAll)
