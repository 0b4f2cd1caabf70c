package invites

import (
	"context"
	"encoding/json"
	"time"

	"example.com/kestrel/internal/events"
	"example.com/kestrel/internal/keys"
	"example.com/kestrel/internal/store"
)

// Member is one entry of an organisation roster.
type Member struct {
	UserID string    `json:"user_id"`
	Email  string    `json:"email"`
	Role   string    `json:"role"`
	Joined time.Time `json:"joined"`
}

// Roster reads organisation membership.
type Roster interface {
	Members(ctx context.Context, org string) ([]Member, error)
}

func rosterKey(org string) string { return keys.Join("org", org, "members") }

// Members maintains the roster shown in the dashboard. It subscribes to
// InviteAccepted at wiring time.
type Members struct {
	St store.Store
}

var _ Roster = Members{}

// Members implements Roster.
func (m Members) Members(ctx context.Context, org string) ([]Member, error) {
	raw, err := m.St.Get(ctx, rosterKey(org))
	if store.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var roster []Member
	return roster, json.Unmarshal([]byte(raw), &roster)
}

// OnInviteAccepted adds the new member to the roster.
func (m Members) OnInviteAccepted(ctx context.Context, e events.InviteAccepted) error {
	roster, err := m.Members(ctx, e.Org)
	if err != nil {
		return err
	}
	for _, mem := range roster {
		if mem.UserID == e.UserID {
			return nil
		}
	}
	roster = append(roster, Member{UserID: e.UserID, Email: e.Email, Role: e.Role, Joined: e.At})
	body, err := json.Marshal(roster)
	if err != nil {
		return err
	}
	return m.St.Put(ctx, rosterKey(e.Org), string(body), 0) // EXPECT kvrace
}
