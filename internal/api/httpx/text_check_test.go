package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// textRulesSeparately is the reference checkText must agree with: the three
// rules as three passes, in their order.
func textRulesSeparately(body []byte) textProblem {
	switch {
	case !utf8.Valid(body):
		return textNotUTF8
	case HasLoneSurrogate(body):
		return textLoneSurrogate
	case hasNULEscapeRef(body):
		return textNUL
	}
	return textOK
}

// hasNULEscapeRef finds a \u0000 escape as a "u0000" after an odd number of
// backslashes.
func hasNULEscapeRef(body []byte) bool {
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte(`u0000`))
		if j < 0 {
			return false
		}
		j += i
		n := 0
		for k := j - 1; k >= 0 && body[k] == '\\'; k-- {
			n++
		}
		if n%2 == 1 {
			return true
		}
		i = j + 1
	}
}

var textCases = []struct {
	body string
	want textProblem
}{
	{`{"a":"b"}`, textOK},
	{`{"name":"Zoë 😀 \u00e9 \ud83d\ude00","n":[1,2.5e3,true,null]}`, textOK},
	{`{"a":"\\u0000"}`, textOK},     // a backslash, then the text u0000
	{`{"a":"\\\\\\ud800"}`, textOK}, // escaped backslashes, then text
	{`{"a":"\"\ud800\"","b":1}`, textLoneSurrogate},
	{`{"a":"\ud800"}`, textLoneSurrogate},       // high alone
	{`{"a":"\udc00"}`, textLoneSurrogate},       // low alone
	{`{"a":"\ud800\u0041"}`, textLoneSurrogate}, // high + not a low
	{`{"\ud800x":1}`, textLoneSurrogate},        // in a member name
	{`{"a":"\u0000"}`, textNUL},
	{`["x","\\\u0000"]`, textNUL},               // an escaped backslash, then the escape
	{`{"a":"\ud800\u0000"}`, textLoneSurrogate}, // both: the surrogate rule first
	{`{"a":"\u0000","b":"\udfff"}`, textLoneSurrogate},
	{"{\"a\":\"\xff\"}", textNotUTF8},
	{"{\"a\":\"\\ud800\",\"b\":\"\xc3\"}", textNotUTF8}, // UTF-8 first, wherever it breaks
	{"[\"\xed\xa0\x80\"]", textNotUTF8},                 // a surrogate encoded in UTF-8
	{`"\u00"`, textOK},                                  // not JSON: no promise, no panic
	{`"\`, textOK},
}

// checkText gives the answer of the three separate passes on JSON bodies.
func TestCheckTextIsTheThreeRules(t *testing.T) {
	for _, tc := range textCases {
		if got := checkText([]byte(tc.body)); got != tc.want {
			t.Errorf("checkText(%q) = %d, want %d", tc.body, got, tc.want)
		}
		if decodes([]byte(tc.body)) {
			if ref := textRulesSeparately([]byte(tc.body)); ref != tc.want {
				t.Errorf("reference(%q) = %d, want %d", tc.body, ref, tc.want)
			}
		}
	}
}

// decodes reports whether encoding/json accepts body (Decode's precondition
// for the text rules).
func decodes(body []byte) bool {
	var v any
	return json.Unmarshal(body, &v) == nil
}

// On whatever encoding/json accepts, checkText and the three separate
// passes agree.
func FuzzCheckText(f *testing.F) {
	for _, tc := range textCases {
		f.Add(tc.body)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := checkText([]byte(s)) // never panics, JSON or not
		if !decodes([]byte(s)) {
			return
		}
		if want := textRulesSeparately([]byte(s)); got != want {
			t.Fatalf("checkText(%q) = %d, the three passes say %d", s, got, want)
		}
	})
}

// BenchmarkDecode is Decode of a typical write body and of a large one
// (the JSON decoding and the text rules).
func BenchmarkDecode(b *testing.B) {
	for _, bc := range benchBodies() {
		b.Run(bc.name, func(b *testing.B) {
			r := requestWithBody(bc.body)
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				var v any
				if err := Decode(r, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type benchBody struct {
	name string
	body []byte
}

// benchBodies are a typical write body and a large one.
func benchBodies() []benchBody {
	small := []byte(`{"user_name":"zoë.müller","display_name":"Zoë Müller \ud83d\ude00","name":{"given_name":"Zoë","family_name":"Müller"},` +
		`"emails":[{"value":"zoe@example.com","type":"work","primary":true}],"addresses":[{"street_address":"Hauptstraße 1","locality":"Zürich"}]}`)
	var big strings.Builder
	big.WriteString(`{"items":[`)
	for i := 0; big.Len() < 256<<10; i++ {
		if i > 0 {
			big.WriteByte(',')
		}
		big.WriteString(`{"id":"u-12345678","name":"Zoë Müller \u00e9 \"quoted\"","tags":["a","b","c"],"n":12345}`)
	}
	big.WriteString(`]}`)
	return []benchBody{{"Small", small}, {"256KiB", []byte(big.String())}}
}

// BenchmarkTextRules is the text rules alone: checkText's one pass against
// the three separate passes it replaced.
func BenchmarkTextRules(b *testing.B) {
	for _, bc := range benchBodies() {
		for _, impl := range []struct {
			name  string
			check func([]byte) textProblem
		}{{"OnePass", checkText}, {"ThreePasses", textRulesSeparately}} {
			b.Run(bc.name+"/"+impl.name, func(b *testing.B) {
				b.SetBytes(int64(len(bc.body)))
				for b.Loop() {
					if impl.check(bc.body) != textOK {
						b.Fatal("not OK")
					}
				}
			})
		}
	}
}

// requestWithBody is a request whose body the middleware read as body.
func requestWithBody(body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	return r.WithContext(context.WithValue(r.Context(), infoKey{}, &info{body: body, base: slog.Default()}))
}
