// Package optin implements list sign-up with double opt-in, confirmation,
// preference-centre links and list settings.
package optin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"

	"pukeko/internal/keys"
	"pukeko/internal/kvstore"
)

// Status of a subscriber on a list.
type Status string

const (
	Pending      Status = "pending"
	Confirmed    Status = "confirmed"
	Unsubscribed Status = "unsubscribed"
)

// Subscriber is the stored record of one address on one list.
type Subscriber struct {
	Email        string    `json:"email"`
	List         string    `json:"list"`
	Status       Status    `json:"status"`
	Source       string    `json:"source,omitempty"`
	SubscribedAt time.Time `json:"subscribed_at"`
	ConfirmedAt  time.Time `json:"confirmed_at,omitzero"`
	LeftAt       time.Time `json:"left_at,omitzero"`
	Topics       []string  `json:"topics,omitzero"`
}

// pendingToken is the value held under an opt-in token.
type pendingToken struct {
	Email  string    `json:"email"`
	List   string    `json:"list"`
	Issued time.Time `json:"issued"`
	Used   bool      `json:"used,omitzero"`
}

// ErrAlreadySubscribed is returned when the address is already on the list.
var ErrAlreadySubscribed = errors.New("optin: already subscribed")

// ErrTokenUnknown is returned for expired or forged links.
var ErrTokenUnknown = errors.New("optin: unknown or expired token")

// Mailer sends the confirmation mail.
type Mailer interface {
	SendConfirmation(ctx context.Context, email, list, link string) error
}

// Service is the subscriber side of the platform.
type Service struct {
	Subs    *kvstore.Namespace // subscriber records and tokens
	Limits  *kvstore.Namespace // resend bookkeeping
	Mail    Mailer
	BaseURL string
}

// Subscribe records a pending subscriber and mails the confirmation link.
func (s *Service) Subscribe(ctx context.Context, list keys.ListID, email, source string) (string, error) {
	subKey := keys.String(keys.Subscriber{List: list, Email: email})
	_, err := s.Subs.Get(ctx, subKey)
	switch {
	case err == nil:
		return "", ErrAlreadySubscribed
	case !kvstore.IsNotFound(err):
		return "", err
	}
	rec := Subscriber{Email: email, List: string(list), Status: Pending, Source: source, SubscribedAt: time.Now().UTC()}
	if err := s.Subs.PutJSON(ctx, subKey, rec, nil); err != nil { // EXPECT kvrace
		return "", err
	}
	return s.issueToken(ctx, list, email)
}

func (s *Service) issueToken(ctx context.Context, list keys.ListID, email string) (string, error) {
	token := rand.Text()
	tok := pendingToken{Email: email, List: string(list), Issued: time.Now().UTC()}
	err := s.Subs.PutJSON(ctx, keys.String(keys.OptIn{Token: token}), tok, &kvstore.WriteOptions{
		TTL: new(48 * time.Hour),
	})
	if err != nil {
		return "", err
	}
	link := s.BaseURL + "/c/" + token
	return token, s.Mail.SendConfirmation(ctx, email, string(list), link)
}

// ResendConfirmation mails a fresh link, at most once per cool-down and a few
// times per address.
func (s *Service) ResendConfirmation(ctx context.Context, list keys.ListID, email string) error {
	h := keys.EmailHash(email)
	cooldown := "optin-cooldown:" + h
	if _, err := s.Limits.Get(ctx, cooldown); err == nil {
		return errors.New("optin: please wait before asking again")
	} else if !kvstore.IsNotFound(err) {
		return err
	}
	attemptsKey := "attempts:resend:" + h
	n := 0
	if raw, err := s.Limits.Get(ctx, attemptsKey); err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !kvstore.IsNotFound(err) {
		return err
	}
	if n >= 5 {
		return errors.New("optin: too many confirmation requests")
	}
	if err := s.Limits.Put(ctx, attemptsKey, []byte(strconv.Itoa(n+1)), &kvstore.WriteOptions{TTL: new(24 * time.Hour)}); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	if err := s.Limits.Put(ctx, cooldown, []byte("1"), &kvstore.WriteOptions{ // DEBATABLE kvrace
		TTL: new(30 * time.Second), // EXPECT kvttl
	}); err != nil {
		return err
	}
	_, err := s.issueToken(ctx, list, email)
	return err
}

// Confirm redeems an opt-in token and activates the subscriber.
func (s *Service) Confirm(ctx context.Context, token string) (*Subscriber, error) {
	tokKey := keys.String(keys.OptIn{Token: token})
	var tok pendingToken
	if err := s.Subs.GetJSON(ctx, tokKey, &tok); err != nil {
		if kvstore.IsNotFound(err) {
			return nil, ErrTokenUnknown
		}
		return nil, err
	}
	if tok.Used {
		return nil, ErrTokenUnknown
	}
	subKey := keys.String(keys.Subscriber{List: keys.ListID(tok.List), Email: tok.Email})
	var sub Subscriber
	if err := s.Subs.GetJSON(ctx, subKey, &sub); err != nil {
		return nil, fmt.Errorf("optin: confirm %s: %w", tok.List, err)
	}
	sub.Status = Confirmed
	sub.ConfirmedAt = time.Now().UTC()
	if err := s.Subs.PutJSON(ctx, subKey, sub, nil); err != nil { // EXPECT kvrace
		return nil, err
	}
	tok.Used = true
	if err := s.Subs.PutJSON(ctx, tokKey, tok, &kvstore.WriteOptions{TTL: new(time.Hour)}); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &sub, nil
}

// Lookup returns the record of email on list; ok is false when there is none.
func (s *Service) Lookup(ctx context.Context, list keys.ListID, email string) (Subscriber, bool, error) {
	var sub Subscriber
	err := s.Subs.GetJSON(ctx, keys.String(keys.Subscriber{List: list, Email: email}), &sub)
	if _, ok := errors.AsType[*kvstore.NotFoundError](err); ok {
		return Subscriber{}, false, nil
	}
	return sub, err == nil, err
}

// IssuePrefLink mints a preference-centre link valid for thirty days.
func (s *Service) IssuePrefLink(ctx context.Context, list keys.ListID, email string) (string, error) {
	token := rand.Text()
	err := s.Subs.PutJSON(ctx, keys.String(keys.Pref{Token: token}), pendingToken{Email: email, List: string(list), Issued: time.Now().UTC()},
		&kvstore.WriteOptions{TTL: new(30 * 24 * time.Hour)})
	if err != nil {
		return "", err
	}
	return s.BaseURL + "/p/" + token, nil
}

// RotatePrefLink replaces a leaked preference link with a new one.
func (s *Service) RotatePrefLink(ctx context.Context, old string) (string, error) {
	var tok pendingToken
	if err := s.Subs.GetJSON(ctx, keys.String(keys.Pref{Token: old}), &tok); err != nil {
		return "", err
	}
	link, err := s.IssuePrefLink(ctx, keys.ListID(tok.List), tok.Email)
	if err != nil {
		return "", err
	}
	return link, s.Subs.Delete(ctx, keys.String(keys.Pref{Token: old})) // EXPECT kvsession
}
