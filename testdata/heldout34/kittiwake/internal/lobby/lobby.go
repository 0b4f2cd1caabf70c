//go:build js && wasm

// Package lobby manages matchmaking lobbies: creation with a custom join
// code, joining and leaving, ready checks and the lobby browser.
package lobby

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kittiwake/internal/config"
	"kittiwake/internal/edgekv"
	"kittiwake/internal/keys"
)

var (
	ErrNoLobby   = errors.New("lobby: not found")
	ErrFull      = errors.New("lobby: full")
	ErrCodeTaken = errors.New("lobby: join code already in use")
	ErrQuota     = errors.New("lobby: daily lobby limit reached")
)

const (
	dailyLobbyQuota  = 20
	countdown        = 10 * time.Second
	readyCheckWindow = 30 * time.Second
	inviteTTL        = 15 * time.Minute
)

// Lobby is a group of players waiting for a match.
type Lobby struct {
	ID         string          `json:"id"`
	Code       string          `json:"code"`
	Host       string          `json:"host"`
	Mode       string          `json:"mode"`
	Region     string          `json:"region"`
	Players    []string        `json:"players"`
	Ready      map[string]bool `json:"ready"`
	MaxPlayers int             `json:"max_players"`
	CreatedAt  time.Time       `json:"created_at"`
}

// Summary is what the lobby browser shows.
type Summary struct {
	ID     string `json:"id"`
	Mode   string `json:"mode"`
	Region string `json:"region"`
}

// ReadyCheck asks every player to accept before the match starts.
type ReadyCheck struct {
	LobbyID   string    `json:"lobby_id"`
	StartedAt time.Time `json:"started_at"`
}

// Expiry is how long players have to accept.
func (ReadyCheck) Expiry() time.Duration { return readyCheckWindow }

// Invite is a pending invitation to a lobby.
type Invite struct {
	LobbyID string `json:"lobby_id"`
	From    string `json:"from"`
	To      string `json:"to"`
}

// Expiry is how long an invite stays open.
func (Invite) Expiry() time.Duration { return inviteTTL }

// Repo stores lobbies in the game namespace.
type Repo struct {
	edgekv.Base
	cfg config.KVConfig
	key func(parts ...string) string
}

// New returns a Repo over ns.
func New(ns *kv.Namespace, cfg config.KVConfig) *Repo {
	return &Repo{
		Base: edgekv.Base{NS: ns},
		cfg:  cfg,
		key:  keys.Prefixed(keys.KindLobby.Prefix()),
	}
}

func newID() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func openKey(mode, region, id string) string {
	return keys.Key("lobby-open", mode, region, id)
}

// Create opens a lobby. A host may pick the join code friends type in.
func (r *Repo) Create(host, mode, region, code string) (*Lobby, error) {
	if err := r.spendQuota(host); err != nil {
		return nil, err
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	codeKey := keys.KindLobbyCode.Key(code)
	taken, err := r.Lookup(codeKey)
	if err != nil {
		return nil, err
	}
	if taken.IsSome() {
		return nil, ErrCodeTaken
	}
	l := &Lobby{
		ID: newID(), Code: code, Host: host, Mode: mode, Region: region,
		Players: []string{host}, Ready: map[string]bool{}, MaxPlayers: r.maxPlayers(mode),
		CreatedAt: time.Now().UTC(),
	}
	if err := r.Store(codeKey, l.ID, keys.KindLobbyCode.TTL()); err != nil { // EXPECT kvrace
		return nil, err
	}
	if err := r.Save(r.key(l.ID), l, r.cfg.TTL.Lobby); err != nil {
		return nil, err
	}
	return l, r.Store(openKey(mode, region, l.ID), host, r.cfg.TTL.Lobby)
}

func (r *Repo) spendQuota(host string) error {
	key := keys.Key("quota", "lobby-create", host, keys.Day(time.Now()))
	get, set := edgekv.Bind(r.NS, key, 26*time.Hour)
	cur, found, err := get()
	if err != nil {
		return err
	}
	used := 0
	if found {
		if used, err = strconv.Atoi(cur); err != nil {
			return fmt.Errorf("lobby: quota for %s: %w", host, err)
		}
	}
	if used >= dailyLobbyQuota {
		return ErrQuota
	}
	return set(strconv.Itoa(used + 1)) // EXPECT kvcounter
}

// maxPlayers reads the per-mode size that live ops can tune without a deploy.
func (r *Repo) maxPlayers(mode string) int {
	v, err := r.NS.GetString(keys.Key("tuning", "max-players", mode), &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		return 4
	}
	n, _ := strconv.Atoi(v)
	return n
}

// Get returns a lobby.
func (r *Repo) Get(id string) (*Lobby, error) {
	var l Lobby
	ok, err := r.Load(r.key(id), &l)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNoLobby
	}
	return &l, nil
}

// Join adds a player to a lobby.
func (r *Repo) Join(id, player string) (*Lobby, error) {
	l, err := r.Get(id)
	if err != nil {
		return nil, err
	}
	if slices.Contains(l.Players, player) {
		return l, nil
	}
	if len(l.Players) >= l.MaxPlayers {
		return nil, ErrFull
	}
	l.Players = append(l.Players, player)
	if err := r.Save(r.key(id), l, r.cfg.TTL.Lobby); err != nil { // EXPECT kvrace
		return nil, err
	}
	return l, nil
}

// Leave removes a player. The last player out closes the lobby.
func (r *Repo) Leave(id, player string) error {
	l, err := r.Get(id)
	if err != nil {
		return err
	}
	l.Players = slices.DeleteFunc(l.Players, func(p string) bool { return p == player })
	delete(l.Ready, player)
	if len(l.Players) == 0 {
		if err := r.Remove(openKey(l.Mode, l.Region, id)); err != nil {
			return err
		}
		return r.Remove(r.key(id))
	}
	if l.Host == player {
		l.Host = l.Players[0]
	}
	return r.Save(r.key(id), l, r.cfg.TTL.Lobby) // EXPECT kvrace
}

// SetReady marks a player ready or not.
func (r *Repo) SetReady(id, player string, ready bool) error {
	return r.Mutate(r.key(id), r.cfg.TTL.Lobby, func(cur string, found bool) (string, error) {
		if !found {
			return "", ErrNoLobby
		}
		var l Lobby
		if err := json.Unmarshal([]byte(cur), &l); err != nil {
			return "", err
		}
		if l.Ready == nil {
			l.Ready = map[string]bool{}
		}
		l.Ready[player] = ready
		out, err := json.Marshal(l)
		return string(out), err
	})
}

// HoldSeat keeps a seat for a player who is loading in.
func (r *Repo) HoldSeat(id, player string) error {
	return r.Store(keys.KindSeatHold.Key(id, player), player, keys.KindSeatHold.TTL()) // EXPECT kvttl
}

// StartReadyCheck opens a ready check for the lobby.
func (r *Repo) StartReadyCheck(id string) error {
	rc := ReadyCheck{LobbyID: id, StartedAt: time.Now().UTC()}
	return r.Save(r.key(id, "ready-check"), rc, 0) // EXPECT kvttl
}

// SendInvite stores an invite for a friend.
func (r *Repo) SendInvite(id, from, to string) error {
	inv := Invite{LobbyID: id, From: from, To: to}
	return r.Save(r.key(id, "invite", to), inv, 0)
}

// ShareCode publishes a short-lived shareable code for a lobby.
func (r *Repo) ShareCode(id, code string) error {
	opts := &kv.PutOptions{ExpirationTTL: int(inviteTTL)} // EXPECT kvttl
	return r.NS.PutString(keys.Key("share", code), id, opts)
}

// StartCountdown marks the lobby as launching; clients poll for the marker.
func (r *Repo) StartCountdown(id string) error {
	startAt := time.Now().Add(countdown)
	opts := &kv.PutOptions{Expiration: int(startAt.Unix())} // EXPECT kvttl
	return r.NS.PutString(r.key(id, "launching"), startAt.Format(time.RFC3339), opts)
}

// CountView records that someone opened the lobby page.
func (r *Repo) CountView(id string) error {
	key := keys.Key("views", "lobby", id)
	m, err := r.Lookup(key)
	if err != nil {
		return err
	}
	n := 0
	if v, ok := m.Get(); ok {
		n, _ = strconv.Atoi(v)
	}
	return r.Store(key, strconv.Itoa(n+1), r.cfg.TTL.Lobby) // EXPECT kvcounter
}

// Browse returns the open lobbies of a mode.
func (r *Repo) Browse(mode string) ([]Summary, error) {
	prefix := keys.Key("lobby-open", mode) + ":"
	res, err := r.NS.List(&kv.ListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(res.Keys))
	for _, k := range res.Keys {
		region, id, ok := strings.Cut(strings.TrimPrefix(k.Name, prefix), ":")
		if !ok {
			continue
		}
		out = append(out, Summary{ID: id, Mode: mode, Region: region})
	}
	return out, nil
}

// BrowsePage returns one page of open lobbies and the cursor of the next.
func (r *Repo) BrowsePage(mode, region, cursor string) ([]Summary, string, error) {
	prefix := keys.Key("lobby-open", mode, region) + ":"
	names, next, err := edgekv.Page(r.NS, prefix, cursor, 50)
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(names))
	for _, n := range names {
		out = append(out, Summary{ID: strings.TrimPrefix(n, prefix), Mode: mode, Region: region})
	}
	return out, next, nil
}
