package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
)

// jkind is the JSON type of a jnode.
type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

func (k jkind) String() string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

// jnode is a generic JSON value that, unlike map[string]any, keeps object
// key order and lets the decoder reject duplicated keys.
type jnode struct {
	kind jkind
	str  string // jString value, or jNumber literal
	b    bool
	arr  []*jnode
	keys []string // jObject keys, in document order
	vals []*jnode // jObject values, parallel to keys
}

// decodeTree decodes exactly one JSON value from raw, rejecting duplicated
// object keys and trailing data.
func decodeTree(raw []byte) (*jnode, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	n, err := decodeValue(dec, "")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errorf("", "invalid JSON: trailing data after the document")
	}
	return n, nil
}

func decodeValue(dec *json.Decoder, path string) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(path, err)
	}
	switch t := tok.(type) {
	case nil:
		return &jnode{kind: jNull}, nil
	case bool:
		return &jnode{kind: jBool, b: t}, nil
	case json.Number:
		return &jnode{kind: jNumber, str: string(t)}, nil
	case string:
		return &jnode{kind: jString, str: t}, nil
	case json.Delim:
		if t == '[' {
			n := &jnode{kind: jArray}
			for dec.More() {
				v, err := decodeValue(dec, path+"["+strconv.Itoa(len(n.arr))+"]")
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntaxError(path, err)
			}
			return n, nil
		}
		n := &jnode{kind: jObject}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, syntaxError(path, err)
			}
			key, _ := kt.(string)
			kp := joinPath(path, key)
			if seen[key] {
				return nil, errorf(kp, "duplicated key")
			}
			seen[key] = true
			v, err := decodeValue(dec, kp)
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, key)
			n.vals = append(n.vals, v)
		}
		if _, err := dec.Token(); err != nil {
			return nil, syntaxError(path, err)
		}
		return n, nil
	}
	return nil, errorf(path, "invalid JSON token")
}

func syntaxError(path string, err error) error {
	if errors.Is(err, io.EOF) {
		return errorf(path, "invalid JSON: unexpected end of input")
	}
	return errorf(path, "invalid JSON: %v", err)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// toAny converts n to the value encoding/json would produce with UseNumber,
// for re-encoding opaque elements such as Depends.
func (n *jnode) toAny() any {
	switch n.kind {
	case jBool:
		return n.b
	case jNumber:
		return json.Number(n.str)
	case jString:
		return n.str
	case jArray:
		out := make([]any, len(n.arr))
		for i, v := range n.arr {
			out[i] = v.toAny()
		}
		return out
	case jObject:
		out := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			out[k] = n.vals[i].toAny()
		}
		return out
	}
	return nil
}
