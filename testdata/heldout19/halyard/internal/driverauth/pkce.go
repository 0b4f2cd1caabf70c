package driverauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
)

// pkceRequest is stored between /authorize and /token.
type pkceRequest struct {
	Challenge string `json:"challenge"`
	Method    string `json:"method"`
	Device    string `json:"device"`
}

type authCode struct {
	State  string `json:"state"`
	Driver string `json:"driver"`
}

var ErrPKCEMismatch = errors.New("driverauth: code verifier does not match")

// BeginPKCE stores the tablet's code challenge and returns the state value
// to round-trip through the sign-in page.
func (a *Auth) BeginPKCE(ctx context.Context, challenge, method, device string) (string, error) {
	if method != "S256" {
		return "", errors.New("driverauth: only S256 is supported")
	}
	state := randomID(16)
	err := a.kv.Write(keys.Join("pkce", state)).
		JSON(pkceRequest{Challenge: challenge, Method: method, Device: device}).
		TTL(pkceTTL).
		Do(ctx)
	return state, err
}

// IssueCode is called once the driver has signed in on the hosted page.
func (a *Auth) IssueCode(ctx context.Context, state string, driver keys.Driver) (string, error) {
	if _, err := a.kv.Get(ctx, keys.Join("pkce", state)); err != nil {
		if kvstore.IsNotFound(err) {
			return "", ErrInvalidToken
		}
		return "", err
	}
	code := randomID(24)
	b, err := json.Marshal(authCode{State: state, Driver: string(driver)})
	if err != nil {
		return "", err
	}
	err = a.kv.Put(ctx, keys.Join("authcode", code), b, kvstore.PutOptions{
		ExpireAt: now().Add(codeLifetime).UnixMilli(), // EXPECT kvttl
	})
	return code, err
}

// RedeemCode exchanges an authorization code and its verifier for tokens.
func (a *Auth) RedeemCode(ctx context.Context, code, verifier string) (*Tokens, error) {
	var ac authCode
	if err := kvstore.GetJSON(ctx, a.kv, keys.Join("authcode", code), &ac); err != nil {
		if kvstore.IsNotFound(err) {
			return nil, ErrInvalidToken
		}
		return nil, err
	}
	var req pkceRequest
	if err := kvstore.GetJSON(ctx, a.kv, keys.Join("pkce", ac.State), &req); err != nil {
		if kvstore.IsNotFound(err) {
			return nil, ErrInvalidToken
		}
		return nil, err
	}
	sum := sha256.Sum256([]byte(verifier))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != req.Challenge {
		return nil, ErrPKCEMismatch
	}
	if err := errors.Join(
		a.kv.Delete(ctx, keys.Join("authcode", code)), // EXPECT kvsession
		a.kv.Delete(ctx, keys.Join("pkce", ac.State)), // EXPECT kvsession
	); err != nil {
		return nil, err
	}
	return a.issue(ctx, keys.Driver(ac.Driver), req.Device)
}
