// Package league holds the domain model shared by the edge worker and the
// backend service: teams, players, matches, scores and the events raised
// when any of them change.
package league

import (
	"strings"
	"time"
)

type (
	SeasonID string
	TeamID   string
	PlayerID string
	MatchID  string
)

// Role is what an account may do inside a team.
type Role string

const (
	RolePlayer  Role = "player"
	RoleParent  Role = "parent"
	RoleCoach   Role = "coach"
	RoleReferee Role = "referee"
	RoleAdmin   Role = "admin"
)

// Season is one competition year of a division.
type Season struct {
	ID       SeasonID  `json:"id"`
	Name     string    `json:"name"`
	StartsAt time.Time `json:"startsAt"`
	EndsAt   time.Time `json:"endsAt"`
}

// Team is a roster entered in one season.
type Team struct {
	ID       TeamID     `json:"id"`
	Season   SeasonID   `json:"season"`
	Name     string     `json:"name"`
	Slug     string     `json:"slug"`
	Players  []PlayerID `json:"players"`
	Colors   string     `json:"colors,omitempty"`
	Modified time.Time  `json:"modified"`
}

// HasPlayer reports whether p is already on the roster.
func (t *Team) HasPlayer(p PlayerID) bool {
	for _, id := range t.Players {
		if id == p {
			return true
		}
	}
	return false
}

// Player is a registered participant. Minors carry a guardian contact.
type Player struct {
	ID            PlayerID `json:"id"`
	Name          string   `json:"name"`
	Jersey        int      `json:"jersey,omitempty"`
	GuardianEmail string   `json:"guardianEmail,omitempty"`
	Team          TeamID   `json:"team,omitempty"`
}

// MatchStatus tracks a fixture through its life.
type MatchStatus string

const (
	MatchPlanned MatchStatus = "scheduled"
	MatchFinal   MatchStatus = "final"
)

// Match is one fixture between two teams.
type Match struct {
	ID      MatchID     `json:"id"`
	Season  SeasonID    `json:"season"`
	Round   int         `json:"round"`
	Home    TeamID      `json:"home"`
	Away    TeamID      `json:"away"`
	Field   string      `json:"field"`
	Kickoff time.Time   `json:"kickoff"`
	Status  MatchStatus `json:"status"`
	Referee string      `json:"referee,omitempty"`
}

// Score is the reported result of a match. Version increases with each
// accepted correction.
type Score struct {
	Match      MatchID   `json:"match"`
	Home       int       `json:"home"`
	Away       int       `json:"away"`
	ReportedBy string    `json:"reportedBy"`
	ReportedAt time.Time `json:"reportedAt"`
	Version    int       `json:"version"`
	Final      bool      `json:"final"`
}

// MatchEvent is one line of a match sheet: a goal, a card or a substitution.
type MatchEvent struct {
	Minute int      `json:"minute"`
	Kind   string   `json:"kind"`
	Team   TeamID   `json:"team"`
	Player PlayerID `json:"player,omitempty"`
	Note   string   `json:"note,omitempty"`
}

// Invite lets a parent or player join a team without an admin.
type Invite struct {
	Code      string    `json:"code"`
	Team      TeamID    `json:"team"`
	Season    SeasonID  `json:"season"`
	Role      Role      `json:"role"`
	CreatedBy string    `json:"createdBy"`
	ExpiresAt time.Time `json:"expiresAt"`
	SingleUse bool      `json:"singleUse"`
}

// Expired reports whether the invite can no longer be redeemed at t.
func (i Invite) Expired(t time.Time) bool {
	return !i.ExpiresAt.IsZero() && !t.Before(i.ExpiresAt)
}

// Assignment binds a referee to a match.
type Assignment struct {
	Match     MatchID   `json:"match"`
	Referee   string    `json:"referee"`
	Assistant string    `json:"assistant,omitempty"`
	Version   int       `json:"version"`
	Updated   time.Time `json:"updated"`
}

// Account is a login: a parent, a player old enough to have one, a coach or
// a referee.
type Account struct {
	Email    string     `json:"email"`
	Name     string     `json:"name"`
	Role     Role       `json:"role"`
	PINHash  string     `json:"pinHash"`
	Children []PlayerID `json:"children,omitempty"`
	Teams    []TeamID   `json:"teams,omitempty"`
}

// NormalizeEmail lower-cases and trims an address so that it can be used
// inside a key.
func NormalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}
