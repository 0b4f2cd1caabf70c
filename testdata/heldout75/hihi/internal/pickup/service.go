// Package pickup issues and redeems the codes patients show at the counter.
package pickup

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"hihi/internal/ent"
)

var (
	ErrInvalidCode = errors.New("pickup: invalid code")
	ErrExpired     = errors.New("pickup: code expired")
	ErrLocked      = errors.New("pickup: too many attempts")
)

// maxAttempts is the number of non-matching rx numbers accepted before the code is
// locked and the patient has to see the pharmacist.
const maxAttempts = 5

// Service issues and redeems pickup codes.
type Service struct {
	client *ent.Client
}

// NewService wires the entity client with its hooks.
func NewService(drv ent.Driver, log *slog.Logger) *Service {
	c := ent.NewClient(drv)
	c.Use(Hooks(drv, log)...)
	return &Service{client: c}
}

func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// Issue creates the code for a bag of prescriptions that is ready.
func (s *Service) Issue(ctx context.Context, storeID, patientID, shelf string, rxNumbers []string) (*ent.PickupCode, error) {
	code, err := newCode()
	if err != nil {
		return nil, err
	}
	return s.client.PickupCode.Create().
		SetStoreID(storeID).
		SetCode(code).
		SetPatientID(patientID).
		SetRxNumbers(rxNumbers).
		SetShelf(shelf).
		Save(ctx)
}

// IssueSameDay creates a code for a bag that must be collected today; the
// code lapses at closing time.
func (s *Service) IssueSameDay(ctx context.Context, storeID, patientID string, rxNumbers []string, closing time.Time) (*ent.PickupCode, error) {
	code, err := newCode()
	if err != nil {
		return nil, err
	}
	return s.client.PickupCode.Create().
		SetStoreID(storeID).
		SetCode(code).
		SetPatientID(patientID).
		SetRxNumbers(rxNumbers).
		SetExpiresAt(closing).
		SetTTL(max(time.Until(closing), 2*time.Hour)).
		Save(ctx)
}

// Lookup returns the code record for the counter screen.
func (s *Service) Lookup(ctx context.Context, storeID, code string) (*ent.PickupCode, error) {
	pc, err := s.client.PickupCode.Get(ctx, storeID, code)
	if err != nil {
		return nil, err
	}
	if time.Now().After(pc.ExpiresAt) {
		return nil, ErrExpired
	}
	return pc, nil
}

// Redeem hands over the bag: the code is checked against one rx number on
// the bag and then consumed.
func (s *Service) Redeem(ctx context.Context, storeID, code, rxNumber string) (*ent.PickupCode, error) {
	pc, err := s.Lookup(ctx, storeID, code)
	if err != nil {
		return nil, err
	}
	if pc.Attempts >= maxAttempts {
		return nil, ErrLocked
	}
	ok := false
	for _, rx := range pc.RxNumbers {
		if rx == rxNumber {
			ok = true
			break
		}
	}
	if !ok {
		_, _ = s.client.PickupCode.UpdateOne(pc).SetAttempts(pc.Attempts + 1).Save(ctx) // EXPECT kvrace|kvcounter
		return nil, ErrInvalidCode
	}
	if err := s.client.PickupCode.DeleteOne(storeID, code).Exec(ctx); err != nil { // EXPECT kvsession
		return nil, err
	}
	return pc, nil
}

// Extend moves the expiry of a code when the patient asks the store to hold
// the bag longer.
func (s *Service) Extend(ctx context.Context, storeID, code string, until time.Time) error {
	pc, err := s.client.PickupCode.Get(ctx, storeID, code)
	if err != nil {
		return err
	}
	_, err = s.client.PickupCode.UpdateOne(pc).SetExpiresAt(until).Save(ctx) // EXPECT kvsession|kvrace
	return err
}

// Reshelve records that the bag moved to another shelf. Codes are written
// once by the technician who bags the order, so a fresh record is built
// from the one read and the new shelf.
func (s *Service) Reshelve(ctx context.Context, storeID, code, shelf string) error {
	pc, err := s.client.PickupCode.Get(ctx, storeID, code)
	if err != nil {
		return err
	}
	_, err = s.client.PickupCode.UpdateOne(pc).
		SetShelf(shelf).
		SetTTL(max(time.Until(pc.ExpiresAt), time.Minute)).
		Save(ctx) // DEBATABLE kvrace
	return err
}
