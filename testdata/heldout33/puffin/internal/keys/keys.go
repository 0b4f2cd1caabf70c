// Package keys defines the KV key layout shared by the check-in Worker and
// the backend services. Every key is built from a typed value so that the
// layout lives in one place and both sides agree on it.
//
// Layout (":" separated):
//
//	pf:ev:<event>:badge:<id>            badge record (JSON)
//	pf:ev:<event>:in:<id>               check-in marker for a badge
//	pf:ev:<event>:audit:<id>            door audit trail for a badge
//	pf:ev:<event>:revoked:<id>          revocation marker
//	pf:ev:<event>:talk:<talk>           talk record
//	pf:ev:<event>:talk:<talk>:holds     seat holds of a talk (JSON map)
//	pf:ev:<event>:talk:<talk>:seats     seats left
//	pf:ev:<event>:door:<door>:config    door configuration
//	pf:ev:<event>:count:<name>          lobby-screen tallies
//	pf:sess:<id>                        speaker portal session
package keys

import (
	"strings"
)

// ScopeKey is a colon-separated key or key prefix.
type ScopeKey string

// Root is the scope every puffin key lives under.
const Root ScopeKey = "pf"

// Child returns the scope below s named by parts.
func (s ScopeKey) Child(parts ...string) ScopeKey {
	if len(parts) == 0 {
		return s
	}
	return ScopeKey(string(s) + ":" + strings.Join(parts, ":"))
}

// String implements fmt.Stringer.
func (s ScopeKey) String() string { return string(s) }

// Prefix returns the list prefix that matches every key below s.
func (s ScopeKey) Prefix() string { return string(s) + ":" }

// Event returns the scope holding all keys of one event.
func Event(id string) ScopeKey { return Root.Child("ev", id) }

// Badges returns the scope of all badge records of an event.
func Badges(event string) ScopeKey { return Event(event).Child("badge") }

// CheckIns returns the scope of all check-in markers of an event.
func CheckIns(event string) ScopeKey { return Event(event).Child("in") }

// Stat names a lobby-screen tally such as "checkins" or "walkins".
func Stat(event, name string) ScopeKey { return Event(event).Child("count", name) }

// RateLimit names the failure tally of a subject (an IP, an e-mail address).
func RateLimit(scope, subject string) ScopeKey { return Root.Child("ratelimit", scope, subject) }

// Export names the status record of one nightly export.
func Export(day string) ScopeKey { return Root.Child("export", day) }

// BadgeKey addresses one attendee badge.
type BadgeKey struct{ Event, ID string }

func (k BadgeKey) String() string { return Badges(k.Event).Child(k.ID).String() }

// CheckIn is the marker written when the badge passes a door.
func (k BadgeKey) CheckIn() ScopeKey { return CheckIns(k.Event).Child(k.ID) }

// Audit is the door audit trail of the badge.
func (k BadgeKey) Audit() ScopeKey { return Event(k.Event).Child("audit", k.ID) }

// Revoked is the revocation marker the door Worker consults.
func (k BadgeKey) Revoked() ScopeKey { return Event(k.Event).Child("revoked", k.ID) }

// Views is the dashboard view tally of the badge.
func (k BadgeKey) Views() ScopeKey { return Event(k.Event).Child("views", k.ID) }

// ParseBadgeKey reverses BadgeKey.String.
func ParseBadgeKey(s string) (BadgeKey, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 5 || parts[0] != string(Root) || parts[1] != "ev" || parts[3] != "badge" {
		return BadgeKey{}, false
	}
	return BadgeKey{Event: parts[2], ID: parts[4]}, true
}

// TalkKey addresses one talk (session) of the programme.
type TalkKey struct{ Event, Talk string }

func (k TalkKey) String() string { return Event(k.Event).Child("talk", k.Talk).String() }

// Holds is the JSON map of seat holds of the talk.
func (k TalkKey) Holds() ScopeKey { return ScopeKey(k.String()).Child("holds") }

// Seats is the number of seats left in the room.
func (k TalkKey) Seats() ScopeKey { return ScopeKey(k.String()).Child("seats") }

// Waitlist is the ordered waitlist of the talk.
func (k TalkKey) Waitlist() ScopeKey { return ScopeKey(k.String()).Child("waitlist") }

// HoldKey addresses one attendee's hold on a seat.
type HoldKey struct{ Event, Talk, Attendee string }

func (k HoldKey) String() string {
	return Event(k.Event).Child("hold", k.Talk, k.Attendee).String()
}

// DoorKey addresses one entrance of the venue.
type DoorKey struct{ Event, Door string }

func (k DoorKey) String() string { return Event(k.Event).Child("door", k.Door).String() }

// Config is the door configuration published from the organiser dashboard.
func (k DoorKey) Config() ScopeKey { return ScopeKey(k.String()).Child("config") }

// Override is set while a supervisor waves attendees through the door.
func (k DoorKey) Override() ScopeKey { return ScopeKey(k.String()).Child("override") }

// SessionKey addresses a speaker portal session by its random ID.
type SessionKey string

func (k SessionKey) String() string { return Root.Child("sess", string(k)).String() }

// MagicLinkKey addresses a one-time sign-in link by its token.
type MagicLinkKey string

func (k MagicLinkKey) String() string { return Root.Child("magic", string(k)).String() }

// OTPKey addresses the one-time code mailed to an address.
type OTPKey string

func (k OTPKey) String() string { return Root.Child("otp", strings.ToLower(string(k))).String() }

// OAuthStateKey addresses the state parameter of an organiser SSO round trip.
type OAuthStateKey string

func (k OAuthStateKey) String() string { return Root.Child("oauth-state", string(k)).String() }

// SpeakerKey addresses a speaker profile.
type SpeakerKey string

func (k SpeakerKey) String() string { return Root.Child("speaker", string(k)).String() }

// Sessions is the scope of the session index of the speaker.
func (k SpeakerKey) Sessions() ScopeKey { return Root.Child("speaker", string(k), "sess") }

// Slug addresses a public speaker page slug.
func Slug(slug string) ScopeKey { return Root.Child("slug", strings.ToLower(slug)) }

// APIToken addresses a speaker API token (used by slide-upload tools).
type APIToken string

func (k APIToken) String() string { return Root.Child("token", string(k)).String() }

// Revoked returns the revocation marker of the token.
func (k APIToken) Revoked() ScopeKey { return Root.Child("token-revoked", string(k)) }

// Photo addresses the CDN URL of the speaker photo.
func (k SpeakerKey) Photo() ScopeKey { return ScopeKey(k.String()).Child("photo") }
