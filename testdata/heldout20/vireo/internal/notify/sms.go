package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore"
)

// SMSGateway sends text messages.
type SMSGateway interface {
	Send(ctx context.Context, to, body string) (messageID string, err error)
}

// SMS sends consultation alerts by text, within a daily allowance per
// citizen.
type SMS struct {
	Store   kvstore.Store
	Gateway SMSGateway
	PerDay  int
	Clock   func() time.Time
}

func quotaKey(citizenID string, day time.Time) string {
	return fmt.Sprintf("sms-quota:%s:%s", citizenID, day.UTC().Format(time.DateOnly))
}

// Alert texts a citizen unless today's allowance is used up.
func (s SMS) Alert(ctx context.Context, c domain.Citizen, body string) error {
	if c.Phone == "" {
		return fmt.Errorf("citizen %s has no phone: %w", c.ID, domain.ErrInvalid)
	}
	key := quotaKey(c.ID, s.Clock())
	var sent int64
	raw, err := s.Store.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if sent, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return err
		}
	}
	if sent >= int64(max(s.PerDay, 1)) {
		return fmt.Errorf("sms allowance for %s: %w", c.ID, domain.ErrThrottled)
	}
	if _, err := s.Gateway.Send(ctx, c.Phone, body); err != nil {
		return err
	}
	return s.Store.Put(ctx, key, strconv.AppendInt(nil, sent+1, 10), kvstore.WriteOptions{ // EXPECT kvcounter
		TTL: 48 * time.Hour,
	})
}
