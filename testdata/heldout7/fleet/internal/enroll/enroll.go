// Package enroll implements device enrolment with one-time enrolment codes.
//
// An operator creates a code for a tenant; a factory-fresh device presents the
// code together with its hardware serial and receives a device id and an API
// token.
package enroll

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/fleet/internal/repo"
	"example.com/fleet/internal/store"
	"example.com/fleet/internal/tokens"
)

var (
	ErrBadCode         = errors.New("enroll: unknown or expired code")
	ErrAlreadyEnrolled = errors.New("enroll: serial already enrolled")
	ErrTooManyAttempts = errors.New("enroll: too many attempts")
)

// Code is an enrolment code record.
type Code struct {
	Tenant    string    `json:"tenant"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Device is the enrolled device record read by edge Workers.
type Device struct {
	ID         string    `json:"id"`
	Tenant     string    `json:"tenant"`
	Serial     string    `json:"serial"`
	Model      string    `json:"model"`
	EnrolledAt time.Time `json:"enrolled_at"`
}

// Result is returned to the device after a successful enrolment.
type Result struct {
	DeviceID string `json:"device_id"`
	Token    string `json:"token"`
}

// Service wires the enrolment flow.
type Service struct {
	s           store.Store
	codes       *repo.Repo[Code]
	devices     *repo.Repo[Device]
	issuer      *tokens.Issuer
	maxAttempts int
}

// NewService builds the enrolment service. Codes are valid for a day.
func NewService(s store.Store, issuer *tokens.Issuer) *Service {
	return &Service{
		s:           s,
		codes:       repo.New[Code](s, "enroll:code:", repo.WithTTL(24*time.Hour)),
		devices:     repo.New[Device](s, "device:"),
		issuer:      issuer,
		maxAttempts: 10,
	}
}

func randomCode() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return strings.TrimRight(base32.StdEncoding.EncodeToString(b), "="), nil
}

// CreateCode creates a fresh enrolment code for tenant.
func (s *Service) CreateCode(ctx context.Context, tenant, operator string) (string, error) {
	code, err := randomCode()
	if err != nil {
		return "", err
	}
	rec := Code{Tenant: tenant, CreatedBy: operator, CreatedAt: time.Now()}
	if err := s.codes.Save(ctx, code, rec); err != nil {
		return "", err
	}
	return code, nil
}

// checkAttempts throttles enrolment attempts per source address.
func (s *Service) checkAttempts(ctx context.Context, remoteIP string) error {
	key := "enroll:attempts:" + remoteIP
	n := 0
	b, err := s.s.Get(ctx, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		if n, err = strconv.Atoi(string(b)); err != nil {
			n = 0
		}
	}
	if n >= s.maxAttempts {
		return ErrTooManyAttempts
	}
	return s.s.Put(ctx, key, []byte(strconv.Itoa(n+1)), store.WithTTL(15*time.Minute)) // EXPECT kvcounter
}

// Redeem exchanges an enrolment code for a device id and token.
func (s *Service) Redeem(ctx context.Context, remoteIP, code, serial, model string) (Result, error) {
	if err := s.checkAttempts(ctx, remoteIP); err != nil {
		return Result{}, err
	}
	c, err := s.codes.Get(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return Result{}, ErrBadCode
	}
	if err != nil {
		return Result{}, err
	}

	serialKey := "serial:" + strings.ToUpper(serial)
	if _, err := s.s.Get(ctx, serialKey); err == nil {
		return Result{}, ErrAlreadyEnrolled
	} else if !errors.Is(err, store.ErrNotFound) {
		return Result{}, err
	}

	deviceID := fmt.Sprintf("dev_%s_%d", strings.ToLower(serial), time.Now().Unix())
	if err := s.s.Put(ctx, serialKey, []byte(deviceID)); err != nil { // EXPECT kvrace
		return Result{}, err
	}
	dev := Device{ID: deviceID, Tenant: c.Tenant, Serial: serial, Model: model, EnrolledAt: time.Now()}
	if err := s.devices.Save(ctx, deviceID, dev); err != nil {
		return Result{}, err
	}
	if err := s.codes.Delete(ctx, code); err != nil { // EXPECT kvsession
		return Result{}, err
	}
	tok, err := s.issuer.Issue(ctx, c.Tenant, deviceID)
	if err != nil {
		return Result{}, err
	}
	return Result{DeviceID: deviceID, Token: tok}, nil
}
