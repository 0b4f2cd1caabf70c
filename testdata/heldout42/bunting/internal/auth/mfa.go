package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"bunting/internal/kvstore"
)

const (
	challengeLifetime = 5 * time.Minute
	maxAttempts       = 5
)

var (
	// ErrBadCode is returned for an incorrect one-time code.
	ErrBadCode = errors.New("auth: incorrect code")
	// ErrLocked is returned once a challenge has used up its attempts.
	ErrLocked = errors.New("auth: too many attempts")
)

// Challenge is a pending one-time passcode sent to a clinician's phone.
type Challenge struct {
	ID          string    `json:"id"`
	SessionID   string    `json:"session_id"`
	ClinicianID string    `json:"clinician_id"`
	CodeHash    string    `json:"code_hash"`
	Attempts    int       `json:"attempts"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// ChallengeStore keeps challenges under otp:<id>.
type ChallengeStore struct {
	kvstore.Base
	pepper []byte
}

// NewChallengeStore returns a challenge store.
func NewChallengeStore(st *kvstore.Store, pepper []byte) *ChallengeStore {
	return &ChallengeStore{
		Base:   kvstore.Base{Prefix: "otp:", Lifetime: challengeLifetime, KV: st},
		pepper: pepper,
	}
}

func (c *ChallengeStore) hash(code string) string {
	m := hmac.New(sha256.New, c.pepper)
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil))
}

// Issue creates a challenge for the session and returns the code to send.
func (c *ChallengeStore) Issue(ctx context.Context, sess *ClinicianSession) (Challenge, string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return Challenge{}, "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	ch := Challenge{
		ID:          randomID(18),
		SessionID:   sess.ID,
		ClinicianID: sess.ClinicianID,
		CodeHash:    c.hash(code),
		ExpiresAt:   time.Now().Add(challengeLifetime),
	}
	return ch, code, c.Store(ctx, ch.ID, &ch)
}

// Verify checks code against the challenge and consumes it on success.
func (c *ChallengeStore) Verify(ctx context.Context, id, code string) (Challenge, error) {
	var ch Challenge
	if err := c.Fetch(ctx, id, &ch); err != nil {
		return ch, err
	}
	if ch.Attempts >= maxAttempts {
		return ch, ErrLocked
	}
	if !hmac.Equal([]byte(c.hash(code)), []byte(ch.CodeHash)) {
		ch.Attempts++
		ttl := time.Until(ch.ExpiresAt) // EXPECT kvttl
		raw, err := json.Marshal(ch)
		if err != nil {
			return ch, err
		}
		if err := c.KV.Put(ctx, c.KeyFor(id), raw, ttl); err != nil { // EXPECT kvcounter|kvrace
			return ch, err
		}
		return ch, ErrBadCode
	}
	if err := c.Drop(ctx, id); err != nil { // EXPECT kvsession
		return ch, err
	}
	return ch, nil
}

// StepUp is the extra confirmation required before signing a controlled
// substance prescription (EPCS).
type StepUp struct {
	SessionID      string    `json:"session_id"`
	PrescriptionID string    `json:"prescription_id"`
	ConfirmedAt    time.Time `json:"confirmed_at"`
}

// StepUpStore keeps confirmed step-ups for the signing request that follows.
type StepUpStore struct {
	kvstore.Base
}

// NewStepUpStore returns a step-up store.
func NewStepUpStore(st *kvstore.Store) *StepUpStore {
	return &StepUpStore{Base: kvstore.Base{
		Prefix:   "stepup:",
		Lifetime: 30 * time.Second, // EXPECT kvttl
		KV:       st,
	}}
}

// Confirm stores a step-up confirmation for a prescription.
func (s *StepUpStore) Confirm(ctx context.Context, sessionID, prescriptionID string) error {
	su := StepUp{SessionID: sessionID, PrescriptionID: prescriptionID, ConfirmedAt: time.Now().UTC()}
	return s.Store(ctx, sessionID+":"+prescriptionID, su)
}

// Confirmed reports whether the step-up for a prescription exists.
func (s *StepUpStore) Confirmed(ctx context.Context, sessionID, prescriptionID string) (bool, error) {
	var su StepUp
	err := s.Fetch(ctx, sessionID+":"+prescriptionID, &su)
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
