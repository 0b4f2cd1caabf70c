//go:build js && wasm

package lobbykv

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const null = "<null>"

// Lobby is the KV-backed lobby of one Worker.
type Lobby struct {
	ns  *kv.Namespace
	now func() time.Time
}

// Open binds a Lobby to the named KV namespace.
func Open(binding string) (*Lobby, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Lobby{ns: ns, now: time.Now}, nil
}

// Allow reports whether ip may join a lobby again within the minute.
func (l *Lobby) Allow(ip string, perMinute int) (bool, error) {
	key := "rl:join:" + ip
	v, err := l.ns.GetString(key, nil)
	if err != nil {
		return false, err
	}
	n := 0
	if v != null {
		n, _ = strconv.Atoi(v)
	}
	if n >= perMinute {
		return false, nil
	}
	if err := l.ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 60}); err != nil { // EXPECT kvcounter
		return false, err
	}
	return true, nil
}

// JoinRoster adds visitor to the comma-separated roster of room.
func (l *Lobby) JoinRoster(room, visitor string) error {
	key := "roster:" + room
	roster, err := l.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if roster == null {
		roster = ""
	}
	if slices.Contains(strings.Split(roster, ","), visitor) {
		return nil
	}
	roster = strings.TrimPrefix(roster+","+visitor, ",")
	return l.ns.PutString(key, roster, &kv.PutOptions{ExpirationTTL: 3600}) // EXPECT kvrace
}

// Session is a lobby session, created when a fan opens the lobby page.
type Session struct {
	ID      string    `json:"id"`
	Visitor string    `json:"visitor"`
	Room    string    `json:"room"`
	Created time.Time `json:"created"`
}

// OpenSession creates a lobby session with a random ID.
func (l *Lobby) OpenSession(visitor, room string) (Session, error) {
	s := Session{ID: rand.Text(), Visitor: visitor, Room: room, Created: l.now()}
	b, err := json.Marshal(s)
	if err != nil {
		return s, err
	}
	err = l.ns.PutString("sess:"+s.ID, string(b), &kv.PutOptions{ExpirationTTL: 3600})
	return s, err
}

// LookupSession returns a lobby session unless it is unknown or revoked.
func (l *Lobby) LookupSession(id string) (Session, bool, error) {
	v, err := l.ns.GetString("sess:"+id, nil)
	if err != nil {
		return Session{}, false, err
	}
	if v == null {
		return Session{}, false, nil
	}
	revoked, err := l.revoked()
	if err != nil {
		return Session{}, false, err
	}
	if slices.Contains(revoked, id) {
		return Session{}, false, nil
	}
	var s Session
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return Session{}, false, fmt.Errorf("session %s: %w", id, err)
	}
	return s, true, nil
}

const revokedKey = "revoked:sessions"

func (l *Lobby) revoked() ([]string, error) {
	v, err := l.ns.GetString(revokedKey, &kv.GetOptions{CacheTTL: 30}) // DEBATABLE kvttl
	if err != nil {
		return nil, err
	}
	if v == null {
		return nil, nil
	}
	var ids []string
	if err := json.Unmarshal([]byte(v), &ids); err != nil {
		return nil, fmt.Errorf("revocations: %w", err)
	}
	return ids, nil
}

// RevokeSession bars a lobby session (a bot or a duplicate tab).
func (l *Lobby) RevokeSession(id string) error {
	ids, err := l.revoked()
	if err != nil {
		return err
	}
	if slices.Contains(ids, id) {
		return nil
	}
	ids = append(ids, id)
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return l.ns.PutString(revokedKey, string(b), &kv.PutOptions{ExpirationTTL: 86400}) // EXPECT kvsession
}

// SetBanner shows a message at the top of a lobby for fifteen minutes.
func (l *Lobby) SetBanner(room, text string) error {
	return l.ns.PutString("lobby:banner:"+room, text, &kv.PutOptions{
		Expiration: int(l.now().Add(15 * time.Minute).UnixMilli()), // EXPECT kvttl
	})
}

// RoomsPage is one page of lobbies with a roster.
type RoomsPage struct {
	Rooms  []string `json:"rooms"`
	Cursor string   `json:"cursor,omitempty"`
}

// ListRooms returns one page of lobbies for the staff console.
func (l *Lobby) ListRooms(cursor string) (RoomsPage, error) {
	res, err := l.ns.List(&kv.ListOptions{Prefix: "roster:", Cursor: cursor, Limit: 5000}) // EXPECT kvlimits
	if err != nil {
		return RoomsPage{}, err
	}
	out := RoomsPage{}
	if !res.ListComplete {
		out.Cursor = res.Cursor
	}
	for _, k := range res.Keys {
		out.Rooms = append(out.Rooms, strings.TrimPrefix(k.Name, "roster:"))
	}
	return out, nil
}
