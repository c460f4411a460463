package permission

import (
	"regexp"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// Limits of permission-set fields, from the CreatePermissionSet page.
const (
	MaxNameLen        = 32
	MaxDescriptionLen = 1024
	MaxRelayStateLen  = 240
	MaxTags           = 50
	MaxTagKeyLen      = 128
	MaxTagValueLen    = 255
	// DefaultSessionDuration applies when a create names none.
	DefaultSessionDuration = "PT1H"
	MinSession             = time.Hour
	MaxSession             = 12 * time.Hour
)

var namePattern = regexp.MustCompile(`^[\w+=,.@-]{1,32}$`)

func checkName(name string) error {
	if !namePattern.MatchString(name) {
		return apierr.IIC400_400.New("name must be 1-32 letters, digits or +=,.@_-")
	}
	return nil
}

// checkText bounds a free-text field and refuses control characters other
// than tab and newlines.
func checkText(field, v string, max int) error {
	if utf8.RuneCountInString(v) > max {
		return apierr.IIC400_400.New(field + " must be at most " + strconv.Itoa(max) + " characters")
	}
	for _, r := range v {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return apierr.IIC400_400.New(field + " must not contain control characters")
		}
	}
	return nil
}

// sessionPattern is the ISO-8601 duration subset a session duration takes:
// hours, minutes and seconds (PT8H, PT1H30M, PT3600S).
var sessionPattern = regexp.MustCompile(`^PT(?:(\d{1,5})H)?(?:(\d{1,6})M)?(?:(\d{1,8})S)?$`)

// ParseSessionDuration parses v and checks it lies within 1 to 12 hours.
func ParseSessionDuration(v string) (time.Duration, error) {
	m := sessionPattern.FindStringSubmatch(v)
	if m == nil || v == "PT" {
		return 0, apierr.IIC400_400.New("session_duration must be an ISO-8601 duration such as PT1H, PT8H or PT1H30M")
	}
	var d time.Duration
	for i, unit := range []time.Duration{time.Hour, time.Minute, time.Second} {
		if m[i+1] != "" {
			n, _ := strconv.Atoi(m[i+1])
			d += time.Duration(n) * unit
		}
	}
	if d < MinSession || d > MaxSession {
		return 0, apierr.IIC400_400.New("session_duration must be from PT1H to PT12H")
	}
	return d, nil
}

// checkTags validates tags to add: at most MaxTags, keys unique, bounded.
func checkTags(tags []store.Tag) error {
	if len(tags) > MaxTags {
		return apierr.IIC400_400.New("at most 50 tags")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if utf8.RuneCountInString(t.Key) < 1 {
			return apierr.IIC400_400.New("tag key must be 1-128 characters")
		}
		if err := checkText("tag key", t.Key, MaxTagKeyLen); err != nil {
			return err
		}
		if err := checkText("tag value", t.Value, MaxTagValueLen); err != nil {
			return err
		}
		if seen[t.Key] {
			return apierr.IIC400_400.New("tag key " + strconv.Quote(t.Key) + " is given twice")
		}
		seen[t.Key] = true
	}
	return checkKeyCase(nil, tags)
}

// checkKeyCase refuses a tag key of add that differs only in letter case
// from another key of have or add. Policy conditions look tag keys up
// case-insensitively (g:ResourceTag/Env is g:ResourceTag/env), so a
// resource holding both "env" and "Env" would be decided by whichever
// came first: the same request could be allowed once and denied the next.
func checkKeyCase(have, add []store.Tag) error {
	if key, other, ok := store.TagKeyFoldClash(have, add); ok {
		return apierr.IIC400_400.New("tag key " + strconv.Quote(key) + " differs only in letter case from tag key " + strconv.Quote(other))
	}
	return nil
}

// mergeTags adds or replaces tags by key, keeping the order of first use.
func mergeTags(cur, add []store.Tag) []store.Tag {
	out := append([]store.Tag(nil), cur...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

// TagMap is tags as a map (for g:ResourceTag conditions).
func TagMap(tags []store.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}
