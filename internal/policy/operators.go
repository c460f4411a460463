package policy

import "strings"

// family is the kind of comparison an operator performs.
type family uint8

const (
	famStringEquals family = iota
	famStringEqualsFold
	famStringLike
	famStringStartWith
	famStringEndWith
	famNumeric
	famDate
	famBool
	famIP
	famNull
)

// cmpOp is the comparison of Numeric and Date operators.
type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

// qualifier is the set operator prefix of a condition operator.
type qualifier uint8

const (
	qualNone qualifier = iota
	qualAnyValue
	qualAllValues
)

// operator is a parsed condition operator name.
type operator struct {
	fam      family
	cmp      cmpOp
	negated  bool
	ifExists bool
	qual     qualifier
}

type baseOp struct {
	fam     family
	cmp     cmpOp
	negated bool
}

// baseOperators lists the operator names without qualifier and IfExists.
// Names are case-sensitive, as in AWS and Huawei IAM.
var baseOperators = map[string]baseOp{
	"StringEquals":              {famStringEquals, cmpEq, false},
	"StringNotEquals":           {famStringEquals, cmpEq, true},
	"StringEqualsIgnoreCase":    {famStringEqualsFold, cmpEq, false},
	"StringNotEqualsIgnoreCase": {famStringEqualsFold, cmpEq, true},
	"StringLike":                {famStringLike, cmpEq, false},
	"StringNotLike":             {famStringLike, cmpEq, true},
	"StringStartWith":           {famStringStartWith, cmpEq, false}, // Huawei 1.1
	"StringNotStartWith":        {famStringStartWith, cmpEq, true},
	"StringEndWith":             {famStringEndWith, cmpEq, false},
	"StringNotEndWith":          {famStringEndWith, cmpEq, true},
	"NumericEquals":             {famNumeric, cmpEq, false},
	"NumericNotEquals":          {famNumeric, cmpEq, true},
	"NumericLessThan":           {famNumeric, cmpLT, false},
	"NumericLessThanEquals":     {famNumeric, cmpLE, false},
	"NumericGreaterThan":        {famNumeric, cmpGT, false},
	"NumericGreaterThanEquals":  {famNumeric, cmpGE, false},
	"DateEquals":                {famDate, cmpEq, false},
	"DateNotEquals":             {famDate, cmpEq, true},
	"DateLessThan":              {famDate, cmpLT, false},
	"DateLessThanEquals":        {famDate, cmpLE, false},
	"DateGreaterThan":           {famDate, cmpGT, false},
	"DateGreaterThanEquals":     {famDate, cmpGE, false},
	"Bool":                      {famBool, cmpEq, false},
	"IpAddress":                 {famIP, cmpEq, false},
	"NotIpAddress":              {famIP, cmpEq, true},
	"Null":                      {famNull, cmpEq, false},
}

// parseOperator parses names like "ForAnyValue:StringLikeIfExists". The
// returned reason is non-empty when the name is not a valid operator.
func parseOperator(name string) (operator, string) {
	var op operator
	rest := name
	switch {
	case strings.HasPrefix(rest, "ForAnyValue:"):
		op.qual, rest = qualAnyValue, rest[len("ForAnyValue:"):]
	case strings.HasPrefix(rest, "ForAllValues:"):
		op.qual, rest = qualAllValues, rest[len("ForAllValues:"):]
	}
	base, ok := baseOperators[rest]
	if !ok {
		if trimmed, cut := strings.CutSuffix(rest, "IfExists"); cut {
			base, ok = baseOperators[trimmed]
			op.ifExists = true
		}
	}
	if !ok {
		return op, "unknown condition operator"
	}
	op.fam, op.cmp, op.negated = base.fam, base.cmp, base.negated
	if op.fam == famNull && (op.ifExists || op.qual != qualNone) {
		return op, "the Null operator takes neither IfExists nor ForAnyValue:/ForAllValues:"
	}
	return op, ""
}

// accepts reports whether keys of type t can be used with the operator.
func (op operator) accepts(t valueType) bool {
	if op.fam == famNull || t == typeAny {
		return true
	}
	switch t {
	case typeString, typeStrings:
		return op.fam <= famStringEndWith
	case typeIP:
		return op.fam == famIP
	case typeTime:
		return op.fam == famDate
	case typeEpoch:
		return op.fam == famDate || op.fam == famNumeric
	case typeBool:
		return op.fam == famBool
	}
	return false
}
