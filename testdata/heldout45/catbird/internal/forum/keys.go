package forum

import (
	"fmt"
	"time"
)

// Key layout shared by the Worker and the backend. Both talk to the same
// FORUM namespace; sessions live in their own SESSIONS namespace.
const (
	PrefixThread    = "thread:"
	PrefixPost      = "post:"
	PrefixSlug      = "slug:"
	PrefixSession   = "sess:"
	PrefixReport    = "modq:report:"
	PrefixDigest    = "digest:"
	PrefixDigestSub = "digest:prefs:"
	PrefixMember    = "member:"
)

func ThreadKey(id string) string         { return PrefixThread + id }
func PostKey(threadID, id string) string { return fmt.Sprintf("%s%s:%s", PrefixPost, threadID, id) }
func SlugKey(slug string) string         { return PrefixSlug + slug }
func SessionKey(id string) string        { return PrefixSession + id }
func ReportKey(id string) string         { return PrefixReport + id }
func MemberKey(id string) string         { return PrefixMember + id }
func DigestPrefsKey(memberID string) string {
	return PrefixDigestSub + memberID
}

// DigestKey is the rendered digest for one member and one day (UTC).
func DigestKey(memberID string, day time.Time) string {
	return fmt.Sprintf("%s%s:%04d-%02d-%02d", PrefixDigest, memberID, day.Year(), day.Month(), day.Day())
}

// MemberSessionKey indexes a session under its member so that all of a
// member's sessions can be found with one prefix list.
func MemberSessionKey(memberID, sessionID string) string {
	return fmt.Sprintf("%s%s:sess:%s", PrefixMember, memberID, sessionID)
}

// CategoryKey is the cached category tree node for a path such as "games/retro".
func CategoryKey(path string) string {
	return "cat:" + path
}
