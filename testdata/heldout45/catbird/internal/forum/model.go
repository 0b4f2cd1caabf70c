// Package forum holds the domain types shared by the catbird Worker and the
// catbird backend: posts, threads, members, reports and digests.
package forum

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"
)

// Post is a single message inside a thread.
type Post struct {
	ID        string    `json:"id"`
	ThreadID  string    `json:"thread_id"`
	AuthorID  string    `json:"author_id"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	Hidden    bool      `json:"hidden,omitempty"`
}

// Thread is the cached projection of a thread: header plus the ordered post IDs.
type Thread struct {
	ID          string    `json:"id"`
	Slug        string    `json:"slug"`
	Title       string    `json:"title"`
	CategoryID  string    `json:"category_id"`
	AuthorID    string    `json:"author_id"`
	PostIDs     []string  `json:"post_ids"`
	ReplyCount  int       `json:"reply_count"`
	LastPostAt  time.Time `json:"last_post_at"`
	LockedUntil time.Time `json:"locked_until,omitempty"`
	Pinned      bool      `json:"pinned,omitempty"`
}

// Member is the public part of a forum account.
type Member struct {
	ID          string    `json:"id"`
	Handle      string    `json:"handle"`
	Email       string    `json:"email"`
	Verified    bool      `json:"verified"`
	Role        string    `json:"role"`
	JoinedAt    time.Time `json:"joined_at"`
	TrustLevel  int       `json:"trust_level"`
	DigestOptIn bool      `json:"digest_opt_in"`
}

// Session is what the Worker keeps for a signed-in member.
type Session struct {
	ID        string    `json:"id"`
	MemberID  string    `json:"member_id"`
	Role      string    `json:"role"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	SeenAt    time.Time `json:"seen_at"`
	UserAgent string    `json:"ua,omitempty"`
}

// Report is a moderation report filed against a post.
type Report struct {
	ID         string    `json:"id"`
	PostID     string    `json:"post_id"`
	ThreadID   string    `json:"thread_id"`
	ReporterID string    `json:"reporter_id"`
	Reason     string    `json:"reason"`
	FiledAt    time.Time `json:"filed_at"`
}

// DigestPrefs are a member's nightly digest settings.
type DigestPrefs struct {
	MemberID   string    `json:"member_id"`
	Categories []string  `json:"categories"`
	Hour       int       `json:"hour"`
	LastSentAt time.Time `json:"last_sent_at"`
	Paused     bool      `json:"paused"`
}

// DefaultDigestPrefs is what a member gets before touching the settings page.
func DefaultDigestPrefs(memberID string) DigestPrefs {
	return DigestPrefs{MemberID: memberID, Hour: 6}
}

// Roles.
const (
	RoleMember    = "member"
	RoleModerator = "moderator"
	RoleAdmin     = "admin"
)

var ErrBadSlug = errors.New("forum: slug must be 3-80 lowercase letters, digits or dashes")

// NewID returns a random 128-bit identifier in hex.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// ValidSlug reports whether s can be used as a thread slug.
func ValidSlug(s string) error {
	if len(s) < 3 || len(s) > 80 {
		return ErrBadSlug
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return ErrBadSlug
		}
	}
	return nil
}
