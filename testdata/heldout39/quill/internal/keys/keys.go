// Package keys builds KV key names, so that a prefix can be listed or purged
// as a unit.
package keys

import (
	"crypto/sha256"
	"fmt"
	"path"
	"strings"

	"quill/internal/tier"
)

// Post is the key of a cached rendering of a post.
func Post(kind tier.Kind, writer, slug string) string { return path.Join(kind.Prefix(), writer, slug) }

// PostPrefix is the prefix of a writer's renderings of one kind.
func PostPrefix(kind tier.Kind, writer string) string { return path.Join(kind.Prefix(), writer) + "/" }

func Session(id string) string { return "sess:" + id }

func Revoked(sessionID string) string { return "revoked:" + sessionID }

// MagicLink is the key of a pending login link; only the token's hash is stored.
func MagicLink(token string) string {
	sum := sha256.Sum256([]byte(token))
	return fmt.Sprintf("ml:%x", sum[:16])
}

// Subscriber is the key of a subscriber record under a writer.
func Subscriber(writer, email string) string {
	var b strings.Builder
	b.WriteString("sub/")
	b.WriteString(writer)
	b.WriteByte('/')
	b.WriteString(strings.ToLower(strings.TrimSpace(email)))
	return b.String()
}

func SubscriberPrefix(writer string) string { return "sub/" + writer + "/" }

func Entitlement(writer, readerID string) string { return fmt.Sprintf("ent:%s:%s", writer, readerID) }

// Domain maps a custom domain to its writer.
func Domain(host string) string {
	return strings.Join([]string{"domain", strings.ToLower(strings.TrimSuffix(host, "."))}, ":")
}

func Slug(slug string) string { return "slug:" + strings.ToLower(slug) }

// Scheduled is a queue entry; the zero-padded time keeps the queue sorted.
func Scheduled(unix int64, writer, postID string) string {
	return fmt.Sprintf("sched:%010d:%s:%s", unix, writer, postID)
}

const ScheduledPrefix = "sched:"

func Feed(writer string) string { return path.Join("feed", writer) }

func Views(writer, postID string) string { return fmt.Sprintf("views:%s:%s", writer, postID) }

func Opened(deliveryID string) string { return "open:" + deliveryID }

func Click(issueID string, linkIdx int) string { return fmt.Sprintf("click:%s:%d", issueID, linkIdx) }

func Writer(writer string) string { return "writer:" + writer }
