// Package keys decides how domain identifiers become KV keys. The scheme is
// picked once from the configured mode; services keep it in a field.
package keys

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
)

// KeyScheme names every record the worker keeps in KV.
type KeyScheme interface {
	Session(id string) string
	HostSessions(hostID string) string
	Revoked(hostID string) string
	MagicLink(token string) string
	OAuthState(state string) string
	LoginAttempts(email string) string
	JoinCode(code string) string
	Audience(token string) string
	AnswerWindow(quizID, deviceID string) string
	Tally(quizID, questionID string) string
	TallyPrefix(quizID string) string
	Leaderboard(quizID string) string
	QuizState(quizID string) string
	QuizDef(quizID string) string
	ModerationItem(quizID, itemID string) string
	ModerationPrefix(quizID string) string
	ModerationIndex(quizID string) string
	Results(quizID string) string
}

// For returns the scheme for mode.
func For(mode, prefix string, salt []byte) KeyScheme {
	switch mode {
	case "hashed", "event":
		return &Hashed{Prefix: prefix, Salt: salt}
	case "standard", "":
		return Plain{Prefix: prefix}
	default:
		return Plain{Prefix: prefix + mode + ":"}
	}
}

// Plain keeps identifiers readable, which helps when browsing the namespace
// in the dashboard.
type Plain struct{ Prefix string }

func (p Plain) Session(id string) string          { return p.Prefix + "sess:" + id }
func (p Plain) HostSessions(hostID string) string { return p.Prefix + "host:" + hostID + ":sessions" }
func (p Plain) Revoked(hostID string) string      { return p.Prefix + "revoked:" + hostID }
func (p Plain) MagicLink(token string) string     { return p.Prefix + "magic:" + digest(nil, token) }
func (p Plain) OAuthState(state string) string    { return p.Prefix + "oauth:" + state }
func (p Plain) LoginAttempts(email string) string {
	return p.Prefix + "attempts:login:" + digest(nil, strings.ToLower(email))
}
func (p Plain) JoinCode(code string) string  { return p.Prefix + "code:" + strings.ToUpper(code) }
func (p Plain) Audience(token string) string { return p.Prefix + "aud:" + token }
func (p Plain) AnswerWindow(quizID, deviceID string) string {
	return p.Prefix + "ratelimit:answers:" + quizID + ":" + deviceID
}
func (p Plain) Tally(quizID, questionID string) string {
	return p.Prefix + "tally:" + quizID + ":" + questionID
}
func (p Plain) TallyPrefix(quizID string) string { return p.Prefix + "tally:" + quizID + ":" }
func (p Plain) Leaderboard(quizID string) string { return p.Prefix + "board:" + quizID }
func (p Plain) QuizState(quizID string) string   { return p.Prefix + "quiz:" + quizID + ":state" }
func (p Plain) QuizDef(quizID string) string     { return p.Prefix + "quiz:" + quizID + ":def" }
func (p Plain) ModerationItem(quizID, itemID string) string {
	return p.Prefix + "modq:" + quizID + ":" + itemID
}
func (p Plain) ModerationPrefix(quizID string) string { return p.Prefix + "modq:" + quizID + ":" }
func (p Plain) ModerationIndex(quizID string) string  { return p.Prefix + "modidx:" + quizID }
func (p Plain) Results(quizID string) string          { return p.Prefix + "results:" + quizID }

// Hashed replaces user-chosen parts with salted digests so that codes and
// device IDs never appear in key listings.
type Hashed struct {
	Prefix string
	Salt   []byte
}

func (h *Hashed) d(parts ...string) string { return digest(h.Salt, parts...) }

func (h *Hashed) Session(id string) string { return h.Prefix + "sess:" + id }
func (h *Hashed) HostSessions(hostID string) string {
	return h.Prefix + "host:" + h.d(hostID) + ":sessions"
}
func (h *Hashed) Revoked(hostID string) string   { return h.Prefix + "revoked:" + h.d(hostID) }
func (h *Hashed) MagicLink(token string) string  { return h.Prefix + "magic:" + h.d(token) }
func (h *Hashed) OAuthState(state string) string { return h.Prefix + "oauth:" + h.d(state) }
func (h *Hashed) LoginAttempts(email string) string {
	return h.Prefix + "attempts:login:" + h.d(strings.ToLower(email))
}
func (h *Hashed) JoinCode(code string) string  { return h.Prefix + "code:" + h.d(strings.ToUpper(code)) }
func (h *Hashed) Audience(token string) string { return h.Prefix + "aud:" + token }
func (h *Hashed) AnswerWindow(quizID, deviceID string) string {
	return h.Prefix + "ratelimit:answers:" + quizID + ":" + h.d(deviceID)
}
func (h *Hashed) Tally(quizID, questionID string) string {
	return h.Prefix + "tally:" + quizID + ":" + questionID
}
func (h *Hashed) TallyPrefix(quizID string) string { return h.Prefix + "tally:" + quizID + ":" }
func (h *Hashed) Leaderboard(quizID string) string { return h.Prefix + "board:" + quizID }
func (h *Hashed) QuizState(quizID string) string   { return h.Prefix + "quiz:" + quizID + ":state" }
func (h *Hashed) QuizDef(quizID string) string     { return h.Prefix + "quiz:" + quizID + ":def" }
func (h *Hashed) ModerationItem(quizID, itemID string) string {
	return h.Prefix + "modq:" + quizID + ":" + itemID
}
func (h *Hashed) ModerationPrefix(quizID string) string { return h.Prefix + "modq:" + quizID + ":" }
func (h *Hashed) ModerationIndex(quizID string) string  { return h.Prefix + "modidx:" + quizID }
func (h *Hashed) Results(quizID string) string          { return h.Prefix + "results:" + quizID }

var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 128); return &b }}

// digest hashes the parts, separated by NUL, with an optional salt, and
// returns 32 hex characters, so user input never makes a key longer.
func digest(salt []byte, parts ...string) string {
	bp := scratch.Get().(*[]byte)
	defer scratch.Put(bp)
	b := append((*bp)[:0], salt...)
	for i, p := range parts {
		b = fmt.Appendf(b, "%d\x00%s", i, p)
	}
	sum := sha256.Sum256(b)
	*bp = b
	return hex.EncodeToString(sum[:16])
}

// NewID returns 128 random bits as 32 hex characters, for session IDs,
// tokens and item IDs.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}
