// Package keys builds every KV key wharf reads or writes, so that the layout
// of the namespace is documented in one place.
package keys

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// Keyer returns a key under a fixed prefix.
type Keyer func(parts ...string) string

func keyer(prefix string) Keyer {
	return func(parts ...string) string {
		esc := make([]string, len(parts))
		for i, p := range parts {
			esc[i] = url.PathEscape(p)
		}
		return prefix + strings.Join(esc, ":")
	}
}

var (
	queue    = keyer("queue:")
	presence = keyer("presence:")
	poll     = keyer("poll:")
	ab       = keyer("ab:")
	lock     = keyer("lock:")
	cache    = keyer("cache:")
)

func QueueTicket(drop, ticket string) string { return queue(drop, "t", ticket) }

// QueueTicketPrefix lists every ticket of a drop.
func QueueTicketPrefix(drop string) string { return queue(drop, "t") + ":" }

// QueueTail holds the last position handed out for a drop.
func QueueTail(drop string) string { return queue(drop, "tail") }

// QueueHead holds the last position admitted for a drop.
func QueueHead(drop string) string { return queue(drop, "head") }

// JoinAttempts is the per-client join throttle.
func JoinAttempts(client string) string { return "join-attempts:" + url.PathEscape(client) }

// ConsumerCheckpoint records the last queue-event message applied.
const ConsumerCheckpoint = "waitroom:consumer:checkpoint"

// EdgeLastRequest records when the Worker last served a request.
const EdgeLastRequest = "edge:status:last-request"

func Admission(token string) string { return path.Join("adm", url.PathEscape(token)) }

func Presence(room, visitor string) string { return presence(room, visitor) }

// PresencePrefix lists everyone in a lobby.
func PresencePrefix(room string) string { return presence(room) + ":" }

// LobbySnapshot holds the rendered roster of a lobby.
func LobbySnapshot(room string) string {
	return fmt.Sprintf("lobby:%[1]s:snapshot", url.PathEscape(room))
}

func Poll(id string) string { return poll(id, "def") }

// PollTally holds the edge tally of a poll.
func PollTally(id string) string { return poll(id, "tally") }

// PollResults holds the final results of a closed poll.
func PollResults(id string) string { return poll(id, "results") }

// PollLatest holds the most recent ballot seen for a poll.
func PollLatest(id string) string { return poll(id, "latest") }

func Ballot(pollID, visitor string) string { return poll(pollID, "b", visitor) }

func Referral(code string) string { return "ref:" + url.PathEscape(strings.ToUpper(code)) }

func Nonce(value string) string { return "nonce:" + url.PathEscape(value) }

func Assignment(exp, visitor string) string { return ab(exp, "a", visitor) }

// Weights holds an experiment's variant weights.
func Weights(exp string) string { return ab(exp, "weights") }

// Exposures holds how often a variant was shown.
func Exposures(exp, variant string) string { return ab(exp, variant, "views") }

func Lock(name string) string { return lock(name) }

// DropCapacity holds the published seat capacity of a drop.
func DropCapacity(drop string) string { return fmt.Sprintf("drop:%s:capacity", url.PathEscape(drop)) }

func Drop(id string) string { return cache("drop", id) }
