// Package lobby manages pre-game lobbies: creation with vanity codes, joining,
// browsing and ready checks.
package lobby

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"example.com/paddock/internal/apperr"
)

// Status is the lifecycle state of a lobby.
type Status string

const (
	StatusOpen   Status = "open"
	StatusInGame Status = "in_game"
)

// Lobby is a group of players waiting to start a match.
type Lobby struct {
	Code       string    `json:"code"`
	HostID     string    `json:"host_id"`
	Mode       string    `json:"mode"`
	Region     string    `json:"region"`
	Players    []string  `json:"players"`
	MaxPlayers int       `json:"max_players"`
	Private    bool      `json:"private"`
	Status     Status    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
}

// Full reports whether no more players can join.
func (l Lobby) Full() bool { return len(l.Players) >= l.MaxPlayers }

// Summary is the browsable projection of a lobby.
type Summary struct {
	Code    string `json:"code"`
	Mode    string `json:"mode"`
	Region  string `json:"region"`
	Players int    `json:"players"`
	Max     int    `json:"max"`
}

// Summarize projects l for the browser.
func Summarize(l Lobby) Summary {
	return Summary{Code: l.Code, Mode: l.Mode, Region: l.Region, Players: len(l.Players), Max: l.MaxPlayers}
}

// Domain errors.
var (
	ErrLobbyNotFound = fmt.Errorf("lobby: %w", apperr.ErrNotFound)
	ErrCodeTaken     = fmt.Errorf("lobby code taken: %w", apperr.ErrConflict)
	ErrLobbyFull     = apperr.New(409, "lobby_full", "lobby is full")
	ErrNotHost       = fmt.Errorf("lobby: only the host may do that: %w", apperr.ErrForbidden)
)

// Repo persists lobbies.
type Repo interface {
	Find(ctx context.Context, code string) (Lobby, error)
	Exists(ctx context.Context, code string) (bool, error)
	Save(ctx context.Context, l Lobby) error
	Page(ctx context.Context, region, cursor string) ([]Summary, string, error)
	All(ctx context.Context, region string) ([]Summary, error)
	Candidates(ctx context.Context, region string) ([]Summary, error)
	MarkReadyCheck(ctx context.Context, code string, startedBy string) error
}

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// RandomCode returns a six-character lobby code.
func RandomCode() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// NormalizeCode upper-cases and validates a vanity code.
func NormalizeCode(code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) < 4 || len(code) > 16 {
		return "", fmt.Errorf("lobby code must be 4-16 characters: %w", apperr.ErrInvalid)
	}
	for _, r := range code {
		if !strings.ContainsRune(codeAlphabet+"01IO", r) {
			return "", fmt.Errorf("lobby code has invalid character %q: %w", r, apperr.ErrInvalid)
		}
	}
	return code, nil
}

// CreateInput is the request to open a lobby.
type CreateInput struct {
	HostID     string
	Mode       string
	Region     string
	MaxPlayers int
	VanityCode string
}

// CreateLobby opens a new lobby.
type CreateLobby struct {
	Lobbies Repo
	Clock   func() time.Time
}

// Execute runs the use case.
func (uc CreateLobby) Execute(ctx context.Context, in CreateInput) (Lobby, error) {
	code := RandomCode()
	if in.VanityCode != "" {
		var err error
		if code, err = NormalizeCode(in.VanityCode); err != nil {
			return Lobby{}, err
		}
		taken, err := uc.Lobbies.Exists(ctx, code)
		if err != nil {
			return Lobby{}, err
		}
		if taken {
			return Lobby{}, ErrCodeTaken
		}
	}
	l := Lobby{
		Code:       code,
		HostID:     in.HostID,
		Mode:       in.Mode,
		Region:     in.Region,
		Players:    []string{in.HostID},
		MaxPlayers: min(max(in.MaxPlayers, 2), 16),
		Private:    in.VanityCode != "",
		Status:     StatusOpen,
		CreatedAt:  uc.Clock(),
	}
	if err := uc.Lobbies.Save(ctx, l); err != nil { // EXPECT kvrace
		return Lobby{}, err
	}
	return l, nil
}

// JoinInput is the request to join a lobby.
type JoinInput struct {
	Code     string
	PlayerID string
}

// JoinLobby adds a player to an open lobby.
type JoinLobby struct {
	Lobbies Repo
}

// Execute runs the use case.
func (uc JoinLobby) Execute(ctx context.Context, in JoinInput) (Lobby, error) {
	l, err := uc.Lobbies.Find(ctx, in.Code)
	if err != nil {
		return Lobby{}, err
	}
	if slices.Contains(l.Players, in.PlayerID) {
		return l, nil
	}
	if l.Status != StatusOpen || l.Full() {
		return Lobby{}, ErrLobbyFull
	}
	l.Players = append(l.Players, in.PlayerID)
	err = uc.Lobbies.Save(ctx, l) // EXPECT kvrace
	return l, err
}

// StartReadyCheck asks every member to confirm they are ready.
type StartReadyCheck struct {
	Lobbies Repo
}

// Execute runs the use case.
func (uc StartReadyCheck) Execute(ctx context.Context, code, playerID string) error {
	l, err := uc.Lobbies.Find(ctx, code)
	if err != nil {
		return err
	}
	if l.HostID != playerID {
		return ErrNotHost
	}
	return uc.Lobbies.MarkReadyCheck(ctx, code, playerID)
}

// Browse lists public lobbies one page at a time.
type Browse struct {
	Lobbies Repo
}

// Execute returns one page and the cursor for the next.
func (uc Browse) Execute(ctx context.Context, region, cursor string) ([]Summary, string, error) {
	return uc.Lobbies.Page(ctx, region, cursor)
}

// QuickJoin puts the player in the first open lobby of the region.
type QuickJoin struct {
	Lobbies Repo
	Join    JoinLobby
}

// Execute runs the use case.
func (uc QuickJoin) Execute(ctx context.Context, region, playerID string) (Lobby, error) {
	cands, err := uc.Lobbies.Candidates(ctx, region)
	if err != nil {
		return Lobby{}, err
	}
	for _, c := range cands {
		if c.Players >= c.Max {
			continue
		}
		l, err := uc.Join.Execute(ctx, JoinInput{Code: c.Code, PlayerID: playerID})
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, ErrLobbyFull) && !errors.Is(err, ErrLobbyNotFound) {
			return Lobby{}, err
		}
	}
	return Lobby{}, fmt.Errorf("no open lobby in %s: %w", region, apperr.ErrNotFound)
}
