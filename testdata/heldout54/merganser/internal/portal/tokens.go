package portal

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"merganser/internal/kvio"
)

// ErrLinkExpired is returned for unknown or already used reset links.
var ErrLinkExpired = errors.New("portal: link expired or already used")

// ErrBadNonce is returned when a form's CSRF nonce does not check out.
var ErrBadNonce = errors.New("portal: bad csrf nonce")

const (
	resetPrefix   = "pwreset:"
	noncePrefix   = "csrf:"
	refreshPrefix = "refresh:"
	revokedPrefix = "revoked:member:"
)

// resetLink is the stored half of a password-reset link.
type resetLink struct {
	MemberID string    `json:"member_id"`
	Email    string    `json:"email"`
	IssuedAt time.Time `json:"issued_at"`
}

// IssueReset stores a new reset link for member and returns its token.
func IssueReset(ctx context.Context, p kvio.Putter, memberID, email string) (string, error) {
	token, err := newID()
	if err != nil {
		return "", err
	}
	link := resetLink{MemberID: memberID, Email: email, IssuedAt: time.Now().UTC()}
	if err := kvio.PutJSON(ctx, p, resetPrefix+token, link, time.Hour); err != nil {
		return "", fmt.Errorf("portal: issue reset: %w", err)
	}
	return token, nil
}

// RedeemReset checks token, lets apply set the new password, and records the
// revocation of the member's older sessions.
func RedeemReset(ctx context.Context, rw kvio.ReadWriter, token string, apply func(memberID string) error) error {
	memberID, err := consumeReset(ctx, rw, token)
	if err != nil {
		return err
	}
	if err := apply(memberID); err != nil {
		return fmt.Errorf("portal: set password: %w", err)
	}
	return revokeBefore(ctx, rw, memberID, time.Now())
}

func consumeReset(ctx context.Context, ns kvio.GetDeleter, token string) (string, error) {
	var link resetLink
	if err := kvio.Into(ctx, ns, resetPrefix+token, &link); err != nil {
		if errors.Is(err, kvio.ErrNotFound) {
			return "", ErrLinkExpired
		}
		return "", err
	}
	if err := forgetReset(ctx, ns, token); err != nil {
		return "", err
	}
	return link.MemberID, nil
}

func forgetReset(ctx context.Context, d kvio.Deleter, token string) error {
	key := resetPrefix + token
	if err := d.Delete(ctx, key); err != nil { // EXPECT kvsession
		return fmt.Errorf("portal: consume reset: %w", err)
	}
	return nil
}

// revokeBefore marks every session of member issued before t as invalid.
func revokeBefore(ctx context.Context, p kvio.Putter, memberID string, t time.Time) error {
	return p.Put(ctx, revokedPrefix+memberID, strconv.FormatInt(t.Unix(), 10), 31*24*time.Hour) // EXPECT kvsession
}

// RevokedBefore returns the cut-off recorded for member, if any.
func RevokedBefore(ctx context.Context, g kvio.Getter, memberID string) (time.Time, bool, error) {
	raw, err := g.Get(ctx, revokedPrefix+memberID)
	switch {
	case errors.Is(err, kvio.ErrNotFound):
		return time.Time{}, false, nil
	case err != nil:
		return time.Time{}, false, err
	}
	sec, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("portal: revoked marker for %s: %w", memberID, err)
	}
	return time.Unix(sec, 0), true, nil
}

// IssueNonce stores a CSRF nonce for a form rendered to session sid.
func IssueNonce(ctx context.Context, p kvio.Putter, sid string) (string, error) {
	n, err := newID()
	if err != nil {
		return "", err
	}
	return n, p.Put(ctx, noncePrefix+n, sid, 20*time.Minute)
}

// CheckNonce verifies that nonce was issued to sid. The nonce is spent when
// the request that carried it finishes.
func CheckNonce(ctx context.Context, ns kvio.GetDeleter, sid, nonce string) error {
	owner, err := ns.Get(ctx, noncePrefix+nonce)
	if err != nil {
		if errors.Is(err, kvio.ErrNotFound) {
			return ErrBadNonce
		}
		return err
	}
	if owner != sid {
		return ErrBadNonce
	}
	context.AfterFunc(ctx, func() {
		_ = ns.Delete(context.Background(), noncePrefix+nonce) // EXPECT kvsession
	})
	return nil
}

// refreshRecord is what a refresh token resolves to.
type refreshRecord struct {
	MemberID string    `json:"member_id"`
	Device   string    `json:"device"`
	Expires  time.Time `json:"expires"`
}

// Rotate swaps refresh token old for a new one and returns it.
func Rotate(ctx context.Context, rw kvio.ReadWriter, old string) (string, error) {
	var rec refreshRecord
	found, err := kvio.Lookup(ctx, rw, refreshPrefix+old, &rec)
	switch {
	case err != nil:
		return "", err
	case !found, time.Now().After(rec.Expires):
		return "", ErrLinkExpired
	}
	next, err := newID()
	if err != nil {
		return "", err
	}
	rec.Expires = time.Now().Add(60 * 24 * time.Hour)
	if err := kvio.PutJSON(ctx, rw, refreshPrefix+next, rec, 60*24*time.Hour); err != nil {
		return "", err
	}
	if err := rw.Delete(ctx, refreshPrefix+old); err != nil { // EXPECT kvsession
		return "", err
	}
	return next, nil
}

// IssueMagicLink stores a sign-in link for the given email.
func IssueMagicLink(ctx context.Context, p kvio.Putter, memberID string) (string, error) {
	tok, err := newID()
	if err != nil {
		return "", err
	}
	return tok, p.Put(ctx, "magic:"+tok, memberID, 15*time.Minute)
}
