// Package accounts manages driver accounts: registration, password and e-mail code login, vehicles and RFID cards.
package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"example.com/wren/backend/ports"
	"example.com/wren/backend/repo"
	"example.com/wren/internal/keys"
	"example.com/wren/internal/lifetime"
)

var (
	timeNow  = time.Now
	newToken = randomToken
	newCode  = randomCode
)

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func randomCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// Vehicle is an EV registered by a driver.
type Vehicle struct {
	VIN         string  `json:"vin"`
	Model       string  `json:"model"`
	BatteryKWh  float64 `json:"battery_kwh"`
	MaxACPowerW int     `json:"max_ac_w"`
}

// Driver is a driver account as cached for the edge.
type Driver struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Vehicles  []Vehicle `json:"vehicles"`
	CreatedAt time.Time `json:"created_at"`
}

// Directory is the authoritative account database; it owns the password hashes.
type Directory interface {
	CreateDriver(ctx context.Context, d Driver, password string) error
	VerifyPassword(ctx context.Context, driverID, password string) error
	SetPassword(ctx context.Context, driverID, password string) error
	RefreshTokenDigests(ctx context.Context, driverID string) ([]string, error)
}

// Mailer sends login codes.
type Mailer interface {
	SendCode(ctx context.Context, email, code string) error
}

// codeRedeemer is what RedeemCode needs.
type codeRedeemer interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Delete(ctx context.Context, key string) error
}

// codeIssuer is what IssueCode needs.
type codeIssuer interface {
	Put(ctx context.Context, key string, val []byte, opts ...ports.PutOption) error
}

// attemptCounter is what CheckPassword needs.
type attemptCounter interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, val []byte, opts ...ports.PutOption) error
	Delete(ctx context.Context, key string) error
}

// tokenRevoker is what ChangePassword needs.
type tokenRevoker interface {
	Delete(ctx context.Context, key string) error
}

// Config tunes the service.
type Config struct {
	CodeTTL        lifetime.Seconds
	MaxAttempts    int
	LockoutMinutes int
}

// Service implements account operations.
type Service struct {
	cfg     Config
	drivers *repo.Repo[Driver]
	index   ports.KV
	codes   interface {
		codeIssuer
		codeRedeemer
	}
	attempts attemptCounter
	tokens   tokenRevoker
	dir      Directory
	mail     Mailer
	cards    *CardRegistry
}

// migrateDriver upgrades v1 records, which had a single full_name field.
func migrateDriver(from int, raw json.RawMessage) (Driver, error) {
	var v1 struct {
		ID       string    `json:"id"`
		Email    string    `json:"email"`
		FullName string    `json:"full_name"`
		Created  time.Time `json:"created_at"`
	}
	err := json.Unmarshal(raw, &v1)
	return Driver{ID: v1.ID, Email: v1.Email, Name: v1.FullName, CreatedAt: v1.Created}, err
}

// New wires a Service. store backs the driver cache, the e-mail index, codes, attempts and refresh tokens.
func New(cfg Config, store ports.KV, dir Directory, mail Mailer, cards *CardRegistry) *Service {
	return &Service{
		cfg:      cfg,
		drivers:  repo.New(store, "driver", repo.WithVersion(2, migrateDriver), repo.WithWriteBack[Driver]()),
		index:    store,
		codes:    store,
		attempts: store,
		tokens:   store,
		dir:      dir,
		mail:     mail,
		cards:    cards,
	}
}

var (
	ErrBadCredentials = errors.New("accounts: bad credentials")
	ErrLocked         = errors.New("accounts: too many attempts")
	ErrBadCode        = errors.New("accounts: code invalid or used")
)

// Register creates an account. The directory enforces unique e-mail; the edge cache and index are written afterwards.
func (s *Service) Register(ctx context.Context, email, name, password string) (Driver, error) {
	d := Driver{ID: newToken()[:16], Email: keys.NormalizeEmail(email), Name: name, CreatedAt: timeNow().UTC()}
	if err := s.dir.CreateDriver(ctx, d, password); err != nil {
		return Driver{}, err
	}
	if err := s.drivers.Put(ctx, d.ID, d); err != nil {
		return Driver{}, err
	}
	return d, s.index.Put(ctx, keys.DriverByEmail(email), []byte(d.ID))
}

func (s *Service) driverIDByEmail(ctx context.Context, email string) (string, error) {
	id, err := s.index.Get(ctx, keys.DriverByEmail(email))
	if errors.Is(err, ports.ErrNotFound) {
		return "", ErrBadCredentials
	}
	return string(id), err
}

// CheckPassword verifies a password login and returns the driver ID.
func (s *Service) CheckPassword(ctx context.Context, email, password string) (string, error) {
	key := keys.LoginAttempts(email)
	n := 0
	if raw, err := s.attempts.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, ports.ErrNotFound) {
		return "", err
	}
	if n >= s.cfg.MaxAttempts {
		return "", ErrLocked
	}
	id, err := s.driverIDByEmail(ctx, email)
	if err == nil {
		err = s.dir.VerifyPassword(ctx, id, password)
	}
	if err != nil {
		lockout := time.Duration(s.cfg.LockoutMinutes) * time.Minute
		if perr := s.attempts.Put(ctx, key, []byte(strconv.Itoa(n+1)), ports.WithTTL(lockout)); perr != nil { // EXPECT kvcounter
			return "", errors.Join(ErrBadCredentials, perr)
		}
		return "", ErrBadCredentials
	}
	_ = s.attempts.Delete(ctx, key)
	return id, nil
}

// IssueCode e-mails a one-time login code.
func (s *Service) IssueCode(ctx context.Context, email string) error {
	id, err := s.driverIDByEmail(ctx, email)
	if err != nil {
		return nil // don't reveal whether the address is registered
	}
	code := newCode()
	if err := s.codes.Put(ctx, keys.LoginCode(email, code), []byte(id), ports.WithTTL(s.cfg.CodeTTL.Duration())); err != nil {
		return err
	}
	return s.mail.SendCode(ctx, email, code)
}

// RedeemCode exchanges a login code for the driver ID.
func (s *Service) RedeemCode(ctx context.Context, email, code string) (string, error) {
	key := keys.LoginCode(email, code)
	id, err := s.codes.Get(ctx, key)
	if errors.Is(err, ports.ErrNotFound) {
		return "", ErrBadCode
	}
	if err != nil {
		return "", err
	}
	if err := s.codes.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(id), nil
}

// ChangePassword sets a new password and signs the driver out everywhere.
func (s *Service) ChangePassword(ctx context.Context, driverID, oldPassword, newPassword string) error {
	if err := s.dir.VerifyPassword(ctx, driverID, oldPassword); err != nil {
		return ErrBadCredentials
	}
	if err := s.dir.SetPassword(ctx, driverID, newPassword); err != nil {
		return err
	}
	digests, err := s.dir.RefreshTokenDigests(ctx, driverID)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range digests {
		errs = append(errs, s.tokens.Delete(ctx, keys.Join("refresh", d))) // EXPECT kvsession
	}
	return errors.Join(errs...)
}

// Profile returns the cached driver record.
func (s *Service) Profile(ctx context.Context, driverID string) (Driver, bool, error) {
	return s.drivers.Get(ctx, driverID)
}

// AddVehicle registers a vehicle on the driver's profile.
func (s *Service) AddVehicle(ctx context.Context, driverID string, v Vehicle) error {
	d, found, err := s.drivers.Get(ctx, driverID)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("accounts: driver %s not found", driverID)
	}
	for _, existing := range d.Vehicles {
		if existing.VIN == v.VIN {
			return nil
		}
	}
	d.Vehicles = append(d.Vehicles, v)
	return s.drivers.Put(ctx, driverID, d) // EXPECT kvrace
}
