//go:build js && wasm

package game

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"whimbrel/internal/events"
	"whimbrel/internal/keys"
	"whimbrel/internal/kvstore"
	"whimbrel/internal/retry"
)

// LoginEvent is published after a successful sign-in.
type LoginEvent struct {
	User    keys.UserID
	Session keys.SessionID
	IP      string
}

// LogoutEvent is published after a session ends.
type LogoutEvent struct {
	User    keys.UserID
	Session keys.SessionID
}

// PasswordChangedEvent is published when a player changes their password.
type PasswordChangedEvent struct {
	User keys.UserID
	Keep keys.SessionID
	At   time.Time
}

// MatchFinishedEvent is published when the last question of a match closes.
type MatchFinishedEvent struct {
	Lobby   keys.LobbyID
	Winner  keys.UserID
	Players []keys.UserID
	Scores  map[keys.UserID]int
	EndedAt time.Time
}

// AnswerEvent is published for every answer a player submits.
type AnswerEvent struct {
	Lobby    keys.LobbyID
	User     keys.UserID
	Question int
	Correct  bool
	At       time.Time
}

// InviteRedeemedEvent is published when an invite code is used.
type InviteRedeemedEvent struct {
	Code  string
	Lobby keys.LobbyID
	User  keys.UserID
}

// Profile is the public player profile.
type Profile struct {
	User        keys.UserID    `json:"user"`
	Display     string         `json:"display"`
	Played      int            `json:"played"`
	Wins        int            `json:"wins"`
	RecentLobby []keys.LobbyID `json:"recent_lobbies"`
	LastSeen    time.Time      `json:"last_seen"`
}

func (s *Server) subscribe() {
	for _, name := range []string{events.UserLogin, events.UserLogout, events.InviteRedeemed} {
		s.bus.On(name, s.route)
	}
	s.bus.On(events.PasswordChanged, s.onPasswordChanged)
	s.bus.On(events.MatchFinished, s.onMatchFinished)
	s.bus.On(events.AnswerSubmitted, func(e events.Event) error {
		a, ok := e.Payload.(AnswerEvent)
		if !ok {
			return nil
		}
		line := fmt.Sprintf("%s %s %d %t", a.At.Format(time.RFC3339), a.User, a.Question, a.Correct)
		return s.raw().PutString("activity/latest", line, nil) // EXPECT kvhotkey
	})
	s.bus.On(events.LobbyClosed, func(e events.Event) error {
		id, _ := e.Payload.(keys.LobbyID)
		if id == "" {
			return nil
		}
		return retry.Do(ctxBackground(), 3, func() error {
			if err := s.game.Delete(id.StateKey()); err != nil {
				return err
			}
			return s.game.Delete(id.Key())
		})
	})
}

// route persists the account events; each message type has its own record.
func (s *Server) route(e events.Event) error {
	switch m := e.Payload.(type) {
	case LoginEvent:
		key := "lastlogin/" + string(m.User)
		val := time.Now().UTC().Format(time.RFC3339) + " " + m.IP
		cloudflare.WaitUntil(func() {
			_ = s.sessions.PutFor(key, val, 90*24*time.Hour)
		})
		return nil
	case LogoutEvent:
		return s.onLogout(m)
	case InviteRedeemedEvent:
		rec := strings.Join([]string{string(m.User), string(m.Lobby), strconv.FormatInt(time.Now().Unix(), 10)}, "|")
		return s.game.PutFor("redeemed/"+m.Code+"/"+string(m.User), rec, 7*24*time.Hour)
	default:
		return fmt.Errorf("route: unexpected payload %T for %s", e.Payload, e.Name)
	}
}

// onLogout drops the refresh token minted with the session.
func (s *Server) onLogout(m LogoutEvent) error {
	return retry.Do(ctxBackground(), 3, func() error {
		return s.sessions.Delete(m.Session.RefreshKey()) // EXPECT kvsession
	})
}

// onPasswordChanged marks every session issued before the change as revoked.
func (s *Server) onPasswordChanged(e events.Event) error {
	m, ok := e.Payload.(PasswordChangedEvent)
	if !ok {
		return nil
	}
	ttl := s.cfg.SessionTTL
	return s.sessions.Namespace().PutString(m.User.RevokedKey(), strconv.FormatInt(m.At.Unix(), 10), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}) // EXPECT kvsession
}

// onMatchFinished updates each player's profile, streak and the lobby history.
func (s *Server) onMatchFinished(e events.Event) error {
	m, ok := e.Payload.(MatchFinishedEvent)
	if !ok {
		return nil
	}
	for _, p := range m.Players {
		p := p
		err := kvstore.Mutate(s.game, p.Key(), 365*24*time.Hour, func(pr *Profile) error {
			pr.User = p
			pr.Played++
			if p == m.Winner {
				pr.Wins++
			}
			pr.RecentLobby = append([]keys.LobbyID{m.Lobby}, pr.RecentLobby...)
			if len(pr.RecentLobby) > 10 {
				pr.RecentLobby = pr.RecentLobby[:10]
			}
			pr.LastSeen = m.EndedAt
			return nil
		})
		if err != nil {
			return err
		}
		_ = s.profiles.Invalidate(p)
	}
	if m.Winner != "" {
		go s.bumpStreak(m.Winner)
	}
	return s.appendHistory(m)
}

// bumpStreak extends the winner's streak.
func (s *Server) bumpStreak(u keys.UserID) {
	ns := s.raw()
	cur, err := ns.GetString(u.StreakKey(), nil)
	if err != nil {
		return
	}
	n := 0
	if cur != "<null>" {
		n, _ = strconv.Atoi(cur)
	}
	_ = ns.PutString(u.StreakKey(), strconv.Itoa(n+1), nil) // EXPECT kvcounter
}

// appendHistory adds one line per finished match to the lobby's history.
func (s *Server) appendHistory(m MatchFinishedEvent) error {
	key := m.Lobby.HistoryKey()
	var b strings.Builder
	fmt.Fprintf(&b, "%s winner=%s", m.EndedAt.UTC().Format(time.RFC3339), m.Winner)
	for _, p := range m.Players {
		fmt.Fprintf(&b, " %s:%d", p, m.Scores[p])
	}
	return retry.Do(ctxBackground(), 3, func() error {
		old, ok, err := s.game.Get(key)
		if err != nil {
			return err
		}
		next := b.String()
		if ok {
			next = old + "\n" + next
		}
		return s.game.PutFor(key, next, 30*24*time.Hour) // EXPECT kvrace
	})
}
