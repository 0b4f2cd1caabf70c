package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"stonechat/internal/events"
	"stonechat/internal/ids"
	"stonechat/internal/kvstore"
	"stonechat/internal/retry"
)

// revocation is the list of session IDs that other services must refuse.
type revocation struct {
	Sessions []string  `json:"sessions"`
	Updated  time.Time `json:"updated"`
}

func (s *Server) onLogout(ctx context.Context, e events.Event) error {
	ev, ok := e.(events.LogoutEvent)
	if !ok {
		return nil
	}
	key := "revoked/" + string(ev.Customer)
	var rev revocation
	raw, err := s.sessions.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if err == nil {
		if err := json.Unmarshal(raw, &rev); err != nil {
			return err
		}
	}
	rev.Sessions = append(rev.Sessions, ev.SessionID)
	rev.Updated = time.Now()
	buf, _ := json.Marshal(rev)
	return s.sessions.PutTTL(ctx, key, buf, s.cfg.SessionTTL) // EXPECT kvsession
}

// onPasswordChanged signs the customer out everywhere.
func (s *Server) onPasswordChanged(ctx context.Context, e events.Event) error {
	ev := e.(events.PasswordChanged)
	prefix := ev.Customer.SessionPrefix()
	cursor := ""
	for page := 0; page < s.cfg.Cache.MaxPages; page++ {
		keys, next, err := s.sessions.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := s.sessions.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return fmt.Errorf("sessions of %s: more than %d pages", ev.Customer, s.cfg.Cache.MaxPages)
}

// onUserEvent keeps the session record in step with what the user did.
func (s *Server) onUserEvent(ctx context.Context, e events.Event) error {
	switch m := e.(type) {
	case events.LoginEvent:
		day := m.At.UTC().Format("2006-01-02")
		key := fmt.Sprintf("login-log/%s/%s/%s", m.Customer, day, m.SessionID)
		return s.billing.PutTTL(ctx, key, []byte(m.At.Format(time.RFC3339)), 90*24*time.Hour)
	case events.OrgSwitched:
		key := ids.SessionKey(m.Customer, m.SessionID)
		raw, err := s.sessions.Get(ctx, key)
		if err != nil {
			return err
		}
		var sess Session
		if err := json.Unmarshal(raw, &sess); err != nil {
			return err
		}
		sess.OrgID = m.OrgID
		buf, _ := json.Marshal(sess)
		return s.sessions.PutTTL(ctx, key, buf, s.cfg.SessionTTL) // EXPECT kvsession
	default:
		return nil
	}
}

type approvals struct {
	Approvers []string  `json:"approvers"`
	Complete  bool      `json:"complete"`
	At        time.Time `json:"at"`
}

const approversRequired = 2

// recordApproval adds approver to the invoice's sign-off list.
func (s *Server) recordApproval(ctx context.Context, inv ids.InvoiceID, approver string) error {
	key := inv.ApprovalsKey()
	return retry.Do(ctx, 3, func() error {
		return retry.Do(ctx, 2, func() error {
			var a approvals
			raw, err := s.billing.Get(ctx, key)
			switch {
			case errors.Is(err, kvstore.ErrNotFound):
			case err != nil:
				return err
			default:
				if err := json.Unmarshal(raw, &a); err != nil {
					return retry.Stop(err)
				}
			}
			for _, existing := range a.Approvers {
				if existing == approver {
					return nil
				}
			}
			a.Approvers = append(a.Approvers, approver)
			a.Complete = len(a.Approvers) >= approversRequired
			a.At = time.Now()
			buf, _ := json.Marshal(a)
			return s.billing.Put(ctx, key, buf) // EXPECT kvrace
		})
	})
}
