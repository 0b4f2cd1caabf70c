package subscriptions

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"example.com/quill/internal/keys"
	"example.com/quill/internal/storage"
)

// Referral rewards, in points.
const (
	pointsPerReferral = 10
	pointsForReward   = 50
)

// Reward tiers unlocked by referral points.
var rewards = []struct {
	At   int
	Name string
}{
	{pointsForReward, "sticker-pack"},
	{150, "annual-discount"},
	{500, "founding-member"},
}

// CreditReferral rewards the referrer of a confirmed sign-up.
func (s *Service) CreditReferral(ctx context.Context, referrer keys.Subscriber) error {
	store := s.router.For(referrer.Tenant)
	before, after, err := addPoints(ctx, store, referrer.Points(), pointsPerReferral)
	if err != nil {
		return err
	}
	for _, r := range rewards {
		if before < r.At && after >= r.At {
			body := fmt.Sprintf("You have %d referral points and unlocked %s. Thank you for spreading the word!", after, r.Name)
			if err := s.mailer.Send(ctx, referrer.Email, "You unlocked a reward", body); err != nil {
				return err
			}
		}
	}
	return nil
}

func addPoints(ctx context.Context, rw storage.ReadWriter, key string, delta int) (before, after int, err error) {
	raw, err := rw.Get(ctx, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		before = 0
	case err != nil:
		return 0, 0, err
	default:
		if before, err = strconv.Atoi(string(raw)); err != nil {
			return 0, 0, fmt.Errorf("points: %s holds %q: %w", key, raw, err)
		}
	}
	after = before + delta
	err = rw.Put(ctx, key, []byte(strconv.Itoa(after)), storage.PutOptions{}) // EXPECT kvcounter
	return before, after, err
}
