// Package lobby runs pre-match lobbies. A single actor goroutine owns the
// lobbies this instance hosts; requests are sent to it as closures.
package lobby

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.com/foundry/internal/events"
	"example.com/foundry/internal/keys"
	"example.com/foundry/internal/kvstore"
)

var (
	ErrFull     = errors.New("lobby: full")
	ErrNotFound = errors.New("lobby: not found")
)

// Lobby is the stored state of a lobby.
type Lobby struct {
	ID      string   `json:"id"`
	Region  string   `json:"region"`
	Mode    string   `json:"mode"`
	Host    string   `json:"host"`
	Players []string `json:"players"`
	Cap     int      `json:"cap"`
}

// Key implements keys.Keyer.
func (l Lobby) Key() string { return keys.Join("lobby", l.Region, l.ID) }

func (l Lobby) meta() map[string]any {
	return map[string]any{"mode": l.Mode, "n": len(l.Players), "cap": l.Cap}
}

// Summary is what the lobby browser shows.
type Summary struct {
	ID      string `json:"id"`
	Mode    string `json:"mode"`
	Players int    `json:"players"`
	Cap     int    `json:"cap"`
}

// Actor serialises lobby operations on this instance.
type Actor struct {
	store   kvstore.Store
	bus     *events.Bus
	idleTTL time.Duration
	log     *slog.Logger
	mailbox chan func()
	hosted  map[string]func() bool // owned by the loop goroutine
}

// NewActor starts the actor; it stops when ctx is cancelled.
func NewActor(ctx context.Context, store kvstore.Store, bus *events.Bus, idleTTL time.Duration, log *slog.Logger) *Actor {
	a := &Actor{store: store, bus: bus, idleTTL: idleTTL, log: log, mailbox: make(chan func(), 64), hosted: map[string]func() bool{}}
	go func() {
		for {
			select {
			case fn := <-a.mailbox:
				fn()
			case <-ctx.Done():
				return
			}
		}
	}()
	return a
}

// call runs fn on the actor goroutine and waits for it.
func (a *Actor) call(ctx context.Context, fn func() error) error {
	errc := make(chan error, 1)
	select {
	case a.mailbox <- func() { errc <- fn() }:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Create opens a lobby. It is closed when hostCtx (the host's long-poll
// connection) ends.
func (a *Actor) Create(ctx, hostCtx context.Context, host, region, mode string, capacity int) (Lobby, error) {
	l := Lobby{ID: keys.NewID(), Region: region, Mode: mode, Host: host, Players: []string{host}, Cap: capacity}
	err := a.call(ctx, func() error {
		b, _ := json.Marshal(l)
		if err := a.store.Put(ctx, l.Key(), b, kvstore.WithTTL(a.idleTTL), kvstore.WithMetadata(l.meta())); err != nil {
			return err
		}
		a.hosted[l.ID] = context.AfterFunc(hostCtx, func() {
			closeCtx, cancel := context.WithTimeout(context.WithoutCancel(hostCtx), 10*time.Second)
			defer cancel()
			if err := a.Close(closeCtx, l.Region, l.ID); err != nil {
				a.log.Warn("close abandoned lobby", "lobby", l.ID, "err", err)
			}
		})
		return nil
	})
	if err == nil {
		events.Publish(ctx, a.bus, events.LobbyOpened{LobbyID: l.ID, Region: region, Mode: mode})
	}
	return l, err
}

func (a *Actor) load(ctx context.Context, region, id string) (Lobby, error) {
	var l Lobby
	raw, err := a.store.Get(ctx, Lobby{Region: region, ID: id}.Key())
	if errors.Is(err, kvstore.ErrNotFound) {
		return l, ErrNotFound
	}
	if err != nil {
		return l, err
	}
	return l, json.Unmarshal(raw, &l)
}

// Join adds player to a lobby.
func (a *Actor) Join(ctx context.Context, region, id, player string) (Lobby, error) {
	var l Lobby
	err := a.call(ctx, func() (err error) {
		if l, err = a.load(ctx, region, id); err != nil || slices.Contains(l.Players, player) {
			return err
		}
		if len(l.Players) >= l.Cap {
			return ErrFull
		}
		l.Players = append(l.Players, player)
		b, _ := json.Marshal(l)
		return a.store.Put(ctx, l.Key(), b, kvstore.WithTTL(a.idleTTL), kvstore.WithMetadata(l.meta())) // EXPECT kvrace
	})
	return l, err
}

// Heartbeat marks the lobby's host as present.
func (a *Actor) Heartbeat(ctx context.Context, region, id string) error {
	now := strconv.FormatInt(time.Now().Unix(), 10)
	return a.store.Put(ctx, keys.Join("presence", region, id), []byte(now), kvstore.WithTTL(20*time.Second)) // EXPECT kvttl
}

// Close removes a lobby.
func (a *Actor) Close(ctx context.Context, region, id string) error {
	err := a.call(ctx, func() error {
		if stop, ok := a.hosted[id]; ok {
			stop()
			delete(a.hosted, id)
		}
		return a.store.Delete(ctx, Lobby{Region: region, ID: id}.Key())
	})
	if err == nil {
		events.Publish(ctx, a.bus, events.LobbyClosed{LobbyID: id, Region: region})
	}
	return err
}

// Browse lists the open lobbies in a region from listing metadata.
func (a *Actor) Browse(ctx context.Context, region string) ([]Summary, error) {
	prefix := keys.Join("lobby", region) + "/"
	page, err := a.store.List(ctx, kvstore.ListQuery{Prefix: prefix, Limit: 200}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		s := Summary{ID: strings.TrimPrefix(k.Name, prefix)}
		s.Mode, _ = k.Metadata["mode"].(string)
		n, _ := k.Metadata["n"].(float64)
		c, _ := k.Metadata["cap"].(float64)
		s.Players, s.Cap = int(n), int(c)
		out = append(out, s)
	}
	return out, nil
}
