package policy

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Parse strictly decodes and validates a policy document. It returns a
// *[ParseError] naming the offending JSON path, or an error wrapping
// [ErrTooLarge] when raw is longer than [MaxDocumentChars] characters.
// A nil error guarantees that [Compile] succeeds on the result.
func Parse(raw []byte) (*Document, error) {
	doc, _, err := parseCompile(raw)
	return doc, err
}

// parseCompile is Parse returning the compiled form it built to validate.
func parseCompile(raw []byte) (*Document, *Compiled, error) {
	if n := utf8.RuneCount(raw); n > MaxDocumentChars {
		return nil, nil, &ParseError{
			Reason: fmt.Sprintf("document has %d characters, limit is %d", n, MaxDocumentChars),
			err:    ErrTooLarge,
		}
	}
	tree, err := decodeTree(raw)
	if err != nil {
		return nil, nil, err
	}
	doc, err := documentFromTree(tree)
	if err != nil {
		return nil, nil, err
	}
	c, err := Compile(doc)
	if err != nil {
		return nil, nil, err
	}
	return doc, c, nil
}

// documentFromTree maps the JSON tree onto a Document, checking keys and JSON
// types. Semantic checks (actions, operators, values) are left to Compile.
func documentFromTree(n *jnode) (*Document, error) {
	if n.kind != jObject {
		return nil, errorf("", "policy document must be a JSON object, got %s", n.kind)
	}
	doc := &Document{}
	version, ok := n.get("Version")
	if !ok {
		return nil, errorf("Version", "is required")
	}
	if version.kind != jString {
		return nil, errorf("Version", "must be a string, got %s", version.kind)
	}
	doc.Version = version.str
	switch doc.Version {
	case Version10, Version11, Version50:
	default:
		return nil, errorf("Version", "unsupported version %q (want \"1.0\", \"1.1\" or \"5.0\")", doc.Version)
	}
	v5 := doc.Version == Version50
	for i, key := range n.keys {
		val := n.vals[i]
		switch {
		case key == "Version":
		case key == "Statement":
			if val.kind != jArray {
				return nil, errorf(key, "must be an array, got %s", val.kind)
			}
			if len(val.arr) == 0 {
				return nil, errorf(key, "must contain at least one statement")
			}
			for j, sn := range val.arr {
				st, err := statementFromTree(sn, "Statement["+strconv.Itoa(j)+"]", v5)
				if err != nil {
					return nil, err
				}
				doc.Statement = append(doc.Statement, st)
			}
		case key == "Depends" && !v5:
			if val.kind != jArray {
				return nil, errorf(key, "must be an array, got %s", val.kind)
			}
			for j, d := range val.arr {
				if d.kind != jObject {
					return nil, errorf(key+"["+strconv.Itoa(j)+"]", "must be an object, got %s", d.kind)
				}
				b, err := json.Marshal(d.toAny())
				if err != nil {
					return nil, errorf(key+"["+strconv.Itoa(j)+"]", "%v", err)
				}
				doc.Depends = append(doc.Depends, b)
			}
		default:
			return nil, errorf(key, "unknown key in a version %s policy", doc.Version)
		}
	}
	if doc.Statement == nil {
		return nil, errorf("Statement", "is required")
	}
	return doc, nil
}

func statementFromTree(n *jnode, path string, v5 bool) (Statement, error) {
	var st Statement
	if n.kind != jObject {
		return st, errorf(path, "must be an object, got %s", n.kind)
	}
	for i, key := range n.keys {
		val, kp := n.vals[i], path+"."+key
		var err error
		switch key {
		case "Effect":
			st.Effect, err = stringValue(val, kp)
		case "Action":
			st.Action, err = stringList(val, kp)
		case "Resource":
			switch {
			case val.kind == jObject && v5:
				return st, errorf(kp, "the object form {\"uri\": [...]} needs a version 1.x policy")
			case val.kind == jObject:
				st.ResourceURI, err = uriList(val, kp)
			default:
				st.Resource, err = stringList(val, kp)
			}
		case "Condition":
			st.Condition, err = conditionFromTree(val, kp)
		case "Sid":
			if v5 {
				st.Sid, err = stringValue(val, kp)
				break
			}
			fallthrough
		case "NotAction", "NotResource":
			if !v5 {
				return st, errorf(kp, "unknown key in a version 1.x statement (only version 5.0 supports it)")
			}
			if key == "NotAction" {
				st.NotAction, err = stringList(val, kp)
			} else {
				st.NotResource, err = stringList(val, kp)
			}
		default:
			return st, errorf(kp, "unknown statement key")
		}
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// uriList reads the object form of a Resource element: exactly the key
// "uri", a string or a non-empty array of strings.
func uriList(n *jnode, path string) ([]string, error) {
	for _, key := range n.keys {
		if key != "uri" {
			return nil, errorf(path+"."+key, "unknown key in a Resource object (only \"uri\")")
		}
	}
	val, ok := n.get("uri")
	if !ok {
		return nil, errorf(path+".uri", "is required in a Resource object")
	}
	return stringList(val, path+".uri")
}

func conditionFromTree(n *jnode, path string) (Condition, error) {
	if n.kind != jObject {
		return nil, errorf(path, "must be an object, got %s", n.kind)
	}
	if len(n.keys) == 0 {
		return nil, nil
	}
	cond := make(Condition, len(n.keys))
	for i, op := range n.keys {
		opNode, opPath := n.vals[i], path+"."+op
		if opNode.kind != jObject {
			return nil, errorf(opPath, "must be an object mapping condition keys to values, got %s", opNode.kind)
		}
		if len(opNode.keys) == 0 {
			return nil, errorf(opPath, "must contain at least one condition key")
		}
		keys := make(map[string][]string, len(opNode.keys))
		for j, key := range opNode.keys {
			vals, err := conditionValues(opNode.vals[j], opPath+"."+key)
			if err != nil {
				return nil, err
			}
			keys[key] = vals
		}
		cond[op] = keys
	}
	return cond, nil
}

func conditionValues(n *jnode, path string) ([]string, error) {
	if n.kind != jArray {
		s, err := scalarText(n, path)
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
	if len(n.arr) == 0 {
		return nil, errorf(path, "must list at least one value")
	}
	out := make([]string, len(n.arr))
	for i, v := range n.arr {
		s, err := scalarText(v, path+"["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func scalarText(n *jnode, path string) (string, error) {
	switch n.kind {
	case jString, jNumber:
		return n.str, nil
	case jBool:
		return strconv.FormatBool(n.b), nil
	}
	return "", errorf(path, "condition value must be a string, boolean or number, got %s", n.kind)
}

func stringValue(n *jnode, path string) (string, error) {
	if n.kind != jString {
		return "", errorf(path, "must be a string, got %s", n.kind)
	}
	return n.str, nil
}

// stringList accepts a string or a non-empty array of strings.
func stringList(n *jnode, path string) ([]string, error) {
	switch n.kind {
	case jString:
		return []string{n.str}, nil
	case jArray:
		if len(n.arr) == 0 {
			return nil, errorf(path, "must not be empty")
		}
		out := make([]string, len(n.arr))
		for i, v := range n.arr {
			if v.kind != jString {
				return nil, errorf(path+"["+strconv.Itoa(i)+"]", "must be a string, got %s", v.kind)
			}
			out[i] = v.str
		}
		return out, nil
	}
	return nil, errorf(path, "must be a string or an array of strings, got %s", n.kind)
}

func (n *jnode) get(key string) (*jnode, bool) {
	for i, k := range n.keys {
		if k == key {
			return n.vals[i], true
		}
	}
	return nil, false
}
