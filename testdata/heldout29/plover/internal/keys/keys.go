// Package keys builds the storage keys used by both the edge worker and the
// backend. Keys are short, lower-case and safe in a URL path segment.
package keys

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// sanitize strips characters that would collide with our ":" separators or
// need escaping in the REST path.
var sanitize = strings.NewReplacer(":", "_", "/", "_", " ", "-", "\t", "-", "\n", "", "?", "", "#", "", "%", "")

// Part cleans a user-supplied fragment for use inside a key.
func Part(s string) string {
	return strings.ToLower(sanitize.Replace(strings.TrimSpace(s)))
}

// Slug turns a team name into its public slug.
func Slug(name string) string {
	s := strings.Trim(Part(name), "-_.")
	if len(s) > 48 {
		s = s[:48]
	}
	return s
}

// Session is the key of a session record.
func Session(id string) string { return string(fmt.Appendf(nil, "sess:%s", id)) }

// Minute appends the UTC minute number of t to dst.
func Minute(dst []byte, t time.Time) []byte {
	return strconv.AppendInt(dst, t.UTC().Unix()/60, 10)
}

// Daily returns "<prefix>:<id>:<day>"; day keys roll over at midnight UTC.
func Daily(prefix, id string, t time.Time) string {
	b := fmt.Appendf(make([]byte, 0, 64), "%s:%s:", prefix, Part(id))
	return string(strconv.AppendInt(b, t.UTC().Unix()/86400, 10))
}

// Digest is a short fixed-length fragment for arbitrary input such as an
// e-mail address or a client's idempotency key.
func Digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:12])
}

// NewID returns a random 16-character identifier.
func NewID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// Template renders a key shape kept in one reviewable place.
type Template struct{ t *template.Template }

func mustTemplate(name, text string) Template {
	return Template{t: template.Must(template.New(name).Option("missingkey=error").Parse(text))}
}

// MatchRef is the data the match templates expect.
type MatchRef struct {
	Season string
	Match  string
}

// Render executes the template; the data types above always satisfy it.
func (k Template) Render(data any) string {
	var buf bytes.Buffer
	if err := k.t.Execute(&buf, data); err != nil {
		panic(fmt.Sprintf("key %s: %v", k.t.Name(), err))
	}
	return buf.String()
}

var (
	SheetKey = mustTemplate("sheet", "sheet:{{.Match}}")
	BoxKey   = mustTemplate("box", "box:{{.Match}}")
)
