package access

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"example.com/corncrake/internal/config"
	"example.com/corncrake/internal/kvstore"
	"example.com/corncrake/internal/records"
)

// Code is a one-time access code printed on a requisition slip.
type Code struct {
	Code      string    `json:"code"`
	PatientID string    `json:"patient_id"`
	ClinicID  string    `json:"clinic_id"`
	BirthDate string    `json:"birth_date"`
	ResultIDs []string  `json:"result_ids"`
	Issued    time.Time `json:"issued"`
}

// MagicLink is an e-mailed sign-in link.
type MagicLink struct {
	PatientID string   `json:"patient_id"`
	ResultIDs []string `json:"result_ids"`
}

const maxDOBAttempts = 5

var (
	ErrBadCode   = errors.New("access: invalid code")
	ErrThrottled = errors.New("access: too many attempts")
	ErrLinkUsed  = errors.New("access: link already used")
)

// Service issues and redeems codes and links.
type Service struct {
	st       kvstore.Store
	codes    records.Base
	links    records.Base
	Sessions *SessionStore
}

// NewService binds the access service to the access namespace.
func NewService(st kvstore.Store) *Service {
	s := &Service{st: st, Sessions: NewSessionStore(st)}
	s.codes = records.Base{
		Store:  st,
		KeyFor: func(code string) string { return "otc:" + code },
		TTL:    config.AccessCodeTTL,
	}
	s.codes.JSON()
	s.links = records.Base{
		Store:  st,
		KeyFor: func(tok string) string { return "magic:" + tok },
		TTL:    config.MagicLinkTTL,
	}
	s.links.JSON()
	return s
}

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newCode() string {
	b := make([]byte, 10)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		if err != nil {
			panic(err)
		}
		b[i] = codeAlphabet[n.Int64()]
	}
	return string(b)
}

// Issue creates a code for the given results.
func (s *Service) Issue(ctx context.Context, clinicID, patientID, birthDate string, resultIDs []string) (string, error) {
	c := Code{
		Code:      newCode(),
		PatientID: patientID,
		ClinicID:  clinicID,
		BirthDate: birthDate,
		ResultIDs: resultIDs,
		Issued:    time.Now().UTC(),
	}
	if err := s.codes.Save(ctx, c.Code, &c); err != nil {
		return "", err
	}
	return c.Code, nil
}

// ResendAllowed reports whether a code may be re-sent by SMS now, and starts
// the cooldown if so.
func (s *Service) ResendAllowed(ctx context.Context, patientID string) (bool, error) {
	r := s.st.Get(ctx, "resend:"+patientID)
	if r.Err != nil {
		return false, r.Err
	}
	if r.Val.Found {
		return false, nil
	}
	return true, kvstore.PutFor(ctx, s.st, "resend:"+patientID, []byte("1"), 30*time.Second) // DEBATABLE kvrace
}

func (s *Service) throttle(ctx context.Context, ip string) error {
	key := fmt.Sprintf("ratelimit:redeem:%s:%d", ip, time.Now().Unix()/60)
	r := s.st.Get(ctx, key)
	if r.Err != nil {
		return r.Err
	}
	n := 0
	if r.Val.Found {
		n, _ = strconv.Atoi(string(r.Val.Value))
	}
	if n >= config.MaxRedeemPerMin {
		return ErrThrottled
	}
	return s.st.Put(ctx, key, []byte(strconv.Itoa(n+1)), kvstore.PutOptions{TTL: 2 * config.RedeemWindow}) // EXPECT kvcounter|kvrace
}

func (s *Service) failedDOB(ctx context.Context, patientID string) error {
	key := "attempts:dob:" + patientID
	n := 0
	if r := s.st.Get(ctx, key); r.Err != nil {
		return r.Err
	} else if r.Val.Found {
		n, _ = strconv.Atoi(string(r.Val.Value))
	}
	n++
	if err := s.st.Put(ctx, key, []byte(strconv.Itoa(n)), kvstore.PutOptions{TTL: time.Hour}); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	if n >= maxDOBAttempts {
		return s.st.Put(ctx, "hold:"+patientID, []byte("dob"), kvstore.PutOptions{
			TTL: 30 * time.Second, // EXPECT kvttl
		})
	}
	return nil
}

// Redeem exchanges a code and the patient's birth date for a session.
func (s *Service) Redeem(ctx context.Context, code, birthDate, ip string) (*Session, error) {
	if err := s.throttle(ctx, ip); err != nil {
		return nil, err
	}
	var c Code
	ok, err := s.codes.Load(ctx, code, &c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrBadCode
	}
	if hold := s.st.Get(ctx, "hold:"+c.PatientID); hold.Err == nil && hold.Val.Found {
		return nil, ErrThrottled
	}
	if c.BirthDate != birthDate {
		if err := s.failedDOB(ctx, c.PatientID); err != nil {
			return nil, err
		}
		return nil, ErrBadCode
	}
	if err := s.codes.Remove(ctx, code); err != nil { // EXPECT kvsession
		return nil, err
	}
	return s.Sessions.Start(ctx, c.PatientID, "code", c.ResultIDs)
}

// SendMagicLink creates a sign-in link token.
func (s *Service) SendMagicLink(ctx context.Context, patientID string, resultIDs []string) (string, error) {
	tok := newToken(32)
	if err := s.links.Save(ctx, tok, &MagicLink{PatientID: patientID, ResultIDs: resultIDs}); err != nil {
		return "", err
	}
	return tok, nil
}

// FollowMagicLink signs the patient in and retires the link.
func (s *Service) FollowMagicLink(ctx context.Context, tok string) (*Session, error) {
	var link MagicLink
	ok, err := s.links.Load(ctx, tok, &link)
	if err != nil {
		return nil, err
	}
	if !ok || link.PatientID == "" {
		return nil, ErrLinkUsed
	}
	if err := s.st.Put(ctx, "magic:"+tok, []byte(`{"used":true}`), kvstore.PutOptions{TTL: config.MagicLinkTTL}); err != nil { // EXPECT kvsession
		return nil, err
	}
	return s.Sessions.Start(ctx, link.PatientID, "magic-link", link.ResultIDs)
}
