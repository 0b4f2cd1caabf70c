package organiser

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"example.com/sundial/internal/codec"
	"example.com/sundial/internal/keys"
	"example.com/sundial/internal/storage"
)

type pendingVerification struct {
	OrganiserID string    `json:"organiser_id"`
	CodeHash    string    `json:"code_hash"`
	SentAt      time.Time `json:"sent_at"`
}

// StartVerification emails a six-digit code to the organiser's address.
func (s *Service) StartVerification(ctx context.Context, o Organiser) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	pv := pendingVerification{OrganiserID: o.ID, CodeHash: keys.Hash(o.Email + ":" + code), SentAt: s.clock.Now()}
	if err := storage.PutAs(ctx, s.st, keys.Verify(o.Email).String(), pv, codec.JSON[pendingVerification]{}, storage.PutOptions{TTL: s.opts.VerifyTTL}); err != nil {
		return err
	}
	if err := s.remember(ctx, "verify-sent:"+o.ID, []byte(o.Email), 30*time.Second); err != nil {
		return err
	}
	return s.mail.Send(ctx, o.Email, "Confirm your email", "Your sundial code is "+code)
}

// ConfirmEmail redeems a verification code.
func (s *Service) ConfirmEmail(ctx context.Context, email, code string) (Organiser, error) {
	if locked, err := s.locked(ctx, email); err != nil {
		return Organiser{}, err
	} else if locked {
		return Organiser{}, ErrLocked
	}
	k := keys.Verify(email).String()
	pv, err := storage.GetAs(ctx, s.st, k, codec.JSON[pendingVerification]{})
	if storage.IsNotFound(err) {
		return Organiser{}, ErrCodeExpired
	}
	if err != nil {
		return Organiser{}, err
	}
	if subtle.ConstantTimeCompare([]byte(pv.CodeHash), []byte(keys.Hash(email+":"+code))) != 1 {
		if err := s.recordFailure(ctx, email); err != nil {
			s.log.WarnContext(ctx, "could not record failed attempt", "error", err)
		}
		return Organiser{}, ErrWrongCode
	}
	if err := s.st.Delete(ctx, k); err != nil { // EXPECT kvsession
		return Organiser{}, err
	}
	o, err := s.organisers.Get(ctx, pv.OrganiserID)
	if err != nil {
		return Organiser{}, err
	}
	o.Verified = true
	return o, s.organisers.Upsert(ctx, o.ID, o)
}

func (s *Service) recordFailure(ctx context.Context, email string) error {
	k := keys.LoginAttempts(email).String()
	n := 0
	if b, err := s.st.Get(ctx, k); err == nil {
		n, _ = strconv.Atoi(string(b))
	} else if !storage.IsNotFound(err) {
		return err
	}
	n++
	return s.st.Put(ctx, k, []byte(strconv.Itoa(n)), storage.PutOptions{TTL: 15 * time.Minute}) // EXPECT kvcounter
}

func (s *Service) locked(ctx context.Context, email string) (bool, error) {
	b, err := s.st.Get(ctx, keys.LoginAttempts(email).String())
	if storage.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	n, err := strconv.Atoi(string(b))
	return err == nil && n >= s.opts.MaxAttempts, nil
}
