// Package keys builds the KV key names used across Quill.
package keys

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"text/template"
)

// Well-known single keys.
const (
	PlanCatalog       = "catalog:plans"
	LastSubscribe     = "stats:last-subscribe"
	SubscriberCount   = "stats:subscriber-count"
	LastDeliveryEvent = "delivery:last-event"
	SendCursor        = "sends:cursor"
	TailLastException = "tail:last-exception"
)

// Join concatenates the non-empty parts with ":".
func Join(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(p)
	}
	return b.String()
}

// EmailHash keeps addresses out of key names.
func EmailHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:12])
}

// Subscriber identifies one reader of one publication.
type Subscriber struct{ Tenant, Email string }

func (s Subscriber) String() string { return Join("t", s.Tenant, "sub", EmailHash(s.Email)) }
func (s Subscriber) Prefs() string  { return s.String() + ":prefs" }
func (s Subscriber) Points() string { return s.String() + ":points" }

// TokenKind distinguishes one-time tokens.
type TokenKind string

const (
	ConfirmToken TokenKind = "confirm"
	UnsubToken   TokenKind = "unsub"
)

// Token is the key of a one-time token.
type Token struct {
	Kind TokenKind
	ID   string
}

func (t Token) String() string { return Join("tok", string(t.Kind), t.ID) }

// Session is the key of an author session.
type Session struct{ Author, ID string }

func (s Session) String() string { return Join("sess", s.Author, s.ID) }

// Revoked records the time before which an author's sessions are invalid.
func Revoked(author string) string { return Join("revoked", author) }

// Issue identifies a published issue and marshals to its key.
type Issue struct {
	Tenant string
	Number int
}

// MarshalText implements encoding.TextMarshaler.
func (i Issue) MarshalText() ([]byte, error) {
	if i.Tenant == "" || i.Number <= 0 {
		return nil, fmt.Errorf("keys: incomplete issue %+v", i)
	}
	return []byte(Join("t", i.Tenant, "issue", strconv.Itoa(i.Number))), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (i *Issue) UnmarshalText(b []byte) error {
	parts := strings.Split(string(b), ":")
	if len(parts) != 4 || parts[0] != "t" || parts[2] != "issue" {
		return fmt.Errorf("keys: not an issue key: %q", b)
	}
	n, err := strconv.Atoi(parts[3])
	if err != nil {
		return fmt.Errorf("keys: issue number: %w", err)
	}
	i.Tenant, i.Number = parts[1], n
	return nil
}

func (i Issue) String() string {
	b, _ := i.MarshalText()
	return string(b)
}

func IssuePrefix(tenant string) string         { return Join("t", tenant, "issue") + ":" }
func ArchiveIndex(tenant string) string        { return Join("t", tenant, "archive", "index") }
func ArchiveLatest(tenant string) string       { return Join("t", tenant, "archive", "latest") }
func Draft(author, id string) string           { return Join("draft", author, id) }
func DraftPrefix(author string) string         { return Join("draft", author) + ":" }
func Presence(draftID string) string           { return Join("presence", draftID) }
func Lock(doc, section string) string          { return Join("lock", doc, section) }
func Send(tenant string, n int) string         { return Join("send", tenant, strconv.Itoa(n)) }
func SendProgress(t string, n int) string      { return Send(t, n) + ":progress" }
func Delivery(messageID string) string         { return Join("dlv", messageID) }
func Bounce(email string) string               { return Join("bounce", EmailHash(email)) }
func Entitlement(tenant, reader string) string { return Join("ent", tenant, reader) }
func Usage(tenant, month string) string        { return Join("usage", tenant, month) }

func Hold(tenant string, n int, slot string) string {
	return Join("hold", tenant, strconv.Itoa(n), slot)
}

var tallyTmpl = template.Must(template.New("tally").Parse(
	`t:{{.Tenant}}:issue:{{.Issue}}:{{.Metric}}{{if .Link}}:{{.Link}}{{end}}`))

// TallyKey names one engagement metric of an issue.
type TallyKey struct {
	Tenant string
	Issue  int
	Metric string // "opens", "downloads", "summary"
	Link   string
}

func (k TallyKey) String() string {
	var buf bytes.Buffer
	if err := tallyTmpl.Execute(&buf, k); err != nil {
		return ""
	}
	return buf.String()
}
