// Package provisioning implements device claiming over MQTT: an operator issues
// a claim code with fleetctl, the device presents it on provision/{serial}/claim
// and receives per-device MQTT credentials on provision/{serial}/result.
package provisioning

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/tidewater-iot/cuckoo/internal/fleet"
	"github.com/tidewater-iot/cuckoo/internal/kvstore"
)

const (
	claimLifetime   = 7 * 24 * time.Hour
	credentialTTL   = 0 // credentials live until rotated
	maxClaimAttempt = 5
)

// Claim is what fleetctl stores under fleet.ClaimKey.
type Claim struct {
	Serial string    `json:"serial"`
	Cohort string    `json:"cohort"`
	Site   string    `json:"site"`
	Issued time.Time `json:"issued"`
	Issuer string    `json:"issuer"`
}

// Device is the registry record under fleet.DeviceKey.
type Device struct {
	Serial     string    `json:"serial"`
	Cohort     string    `json:"cohort"`
	Site       string    `json:"site"`
	Registered time.Time `json:"registered"`
}

// Credential is stored under fleet.CredentialKey and points at the active token.
type Credential struct {
	Device  string    `json:"device"`
	Token   string    `json:"token"`
	Minted  time.Time `json:"minted"`
	Rotated int       `json:"rotated"`
}

// Service handles claim requests.
type Service struct {
	ns  *kvstore.Namespace
	log *slog.Logger
}

func NewService(ns *kvstore.Namespace, log *slog.Logger) *Service {
	return &Service{ns: ns, log: log}
}

// NewCode returns a fresh 16-character claim code.
func NewCode() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
}

func newToken() string {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
}

// Issue stores a new claim code for serial. Used by fleetctl.
func (s *Service) Issue(ctx context.Context, c Claim) (string, error) {
	code := NewCode()
	c.Issued = time.Now().UTC()
	raw, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	if err := s.ns.Put(ctx, fleet.ClaimKey(code), raw, claimLifetime); err != nil {
		return "", err
	}
	return code, nil
}

type claimRequest struct {
	Code string `json:"code"`
}

type claimResult struct {
	OK       bool   `json:"ok"`
	Reason   string `json:"reason,omitempty"`
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
}

// HandleClaim is subscribed to provision/+/claim.
func (s *Service) HandleClaim(c mqtt.Client, m mqtt.Message) {
	serial, err := fleet.DeviceFromTopic(m.Topic())
	if err != nil {
		return
	}
	var req claimRequest
	if err := json.Unmarshal(m.Payload(), &req); err != nil || req.Code == "" {
		s.reply(c, serial, claimResult{Reason: "malformed"})
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	res, err := s.redeem(ctx, serial, req.Code)
	if err != nil {
		s.log.Error("claim failed", "serial", serial, "err", err)
		res = claimResult{Reason: "internal"}
	}
	s.reply(c, serial, res)
}

func (s *Service) reply(c mqtt.Client, serial string, res claimResult) {
	raw, _ := json.Marshal(res)
	t := c.Publish("provision/"+serial+"/result", 1, false, raw)
	go func() {
		if t.WaitTimeout(5*time.Second) && t.Error() != nil {
			s.log.Warn("claim reply not delivered", "serial", serial, "err", t.Error())
		}
	}()
}

var errAlreadyRegistered = errors.New("device already registered")

func (s *Service) redeem(ctx context.Context, serial, code string) (claimResult, error) {
	attempts, err := s.ns.Incr(ctx, "claim-attempts:"+serial, 1, time.Hour)
	if err != nil {
		return claimResult{}, err
	}
	if attempts > maxClaimAttempt {
		return claimResult{Reason: "locked"}, nil
	}

	raw, err := s.ns.Get(ctx, fleet.ClaimKey(code))
	if errors.Is(err, kvstore.ErrNotFound) {
		return claimResult{Reason: "unknown code"}, nil
	}
	if err != nil {
		return claimResult{}, err
	}
	var cl Claim
	if err := json.Unmarshal(raw, &cl); err != nil {
		return claimResult{}, err
	}
	if cl.Serial != serial {
		return claimResult{Reason: "code belongs to another device"}, nil
	}

	if err := s.register(ctx, Device{Serial: serial, Cohort: cl.Cohort, Site: cl.Site}); err != nil {
		if errors.Is(err, errAlreadyRegistered) {
			return claimResult{Reason: "already registered"}, nil
		}
		return claimResult{}, err
	}
	tok, err := s.mint(ctx, serial)
	if err != nil {
		return claimResult{}, err
	}
	if err := s.ns.Delete(ctx, fleet.ClaimKey(code)); err != nil { // EXPECT kvsession
		s.log.Warn("claim code not consumed", "serial", serial, "err", err)
	}
	return claimResult{OK: true, Username: serial, Password: tok}, nil
}

// register creates the registry record for a device that claims for the first time.
func (s *Service) register(ctx context.Context, d Device) error {
	key := fleet.DeviceKey(d.Serial)
	if _, err := s.ns.Get(ctx, key); err == nil {
		return errAlreadyRegistered
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	d.Registered = time.Now().UTC()
	raw, _ := json.Marshal(d)
	return s.ns.Put(ctx, key, raw, 0) // EXPECT kvrace
}

// mint creates the first credential of a freshly registered device.
func (s *Service) mint(ctx context.Context, device string) (string, error) {
	tok := newToken()
	if err := s.ns.Put(ctx, fleet.TokenKey(tok), []byte(device), credentialTTL); err != nil { // DEBATABLE kvsession
		return "", err
	}
	cred := Credential{Device: device, Token: tok, Minted: time.Now().UTC()}
	raw, _ := json.Marshal(cred)
	if err := s.ns.Put(ctx, fleet.CredentialKey(device), raw, credentialTTL); err != nil {
		return "", err
	}
	return tok, nil
}

// Rotate replaces the token of device and retires the previous one. fleetctl
// calls it after a suspected leak; devices call it through devices/+/rotate.
func (s *Service) Rotate(ctx context.Context, device string) (string, error) {
	raw, err := s.ns.Get(ctx, fleet.CredentialKey(device))
	if err != nil {
		return "", fmt.Errorf("rotate %s: %w", device, err)
	}
	var cred Credential
	if err := json.Unmarshal(raw, &cred); err != nil {
		return "", err
	}
	old := cred.Token
	cred.Token = newToken()
	cred.Minted = time.Now().UTC()
	cred.Rotated++
	if err := s.ns.Put(ctx, fleet.TokenKey(cred.Token), []byte(device), credentialTTL); err != nil {
		return "", err
	}
	next, _ := json.Marshal(cred)
	if err := s.ns.Put(ctx, fleet.CredentialKey(device), next, credentialTTL); err != nil { // EXPECT kvsession|kvrace
		return "", err
	}
	if err := s.ns.Delete(ctx, fleet.TokenKey(old)); err != nil { // EXPECT kvsession
		return "", err
	}
	return cred.Token, nil
}

// HandleRotate is subscribed to devices/+/rotate. The new password is sent on
// the device's private result topic.
func (s *Service) HandleRotate(c mqtt.Client, m mqtt.Message) {
	device, err := fleet.DeviceFromTopic(m.Topic())
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tok, err := s.Rotate(ctx, device)
	if err != nil {
		s.log.Error("rotate", "device", device, "err", err)
		s.reply(c, device, claimResult{Reason: "internal"})
		return
	}
	s.reply(c, device, claimResult{OK: true, Username: device, Password: tok})
}
