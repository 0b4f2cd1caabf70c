//go:build js && wasm

package main

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"example.com/saffron/internal/staff"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
)

func httpClient() *http.Client { return fetch.NewClient().HTTPClient(fetch.RedirectModeError) }

type smsSender struct{}

func (smsSender) Send(ctx context.Context, phone, body string) error {
	form := url.Values{"to": {phone}, "body": {body}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cloudflare.Getenv("SMS_GATEWAY_URL"), strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+cloudflare.Getenv("SMS_GATEWAY_TOKEN"))
	res, err := httpClient().Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("sms gateway: %s", res.Status)
	}
	return nil
}

type pbkdf2Hasher struct{}

func (pbkdf2Hasher) Verify(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[2])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[3])
	if err != nil || err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

func identityProvider() staff.IdentityProvider {
	return staff.IdentityProvider{
		AuthorizeURL: cloudflare.Getenv("SSO_AUTHORIZE_URL"),
		ClientID:     cloudflare.Getenv("SSO_CLIENT_ID"),
		RedirectURL:  cloudflare.Getenv("SSO_REDIRECT_URL"),
		Exchange: func(ctx context.Context, code, verifier string) (string, error) {
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier},
				"client_id": {cloudflare.Getenv("SSO_CLIENT_ID")}, "redirect_uri": {cloudflare.Getenv("SSO_REDIRECT_URL")}}
			res, err := httpClient().PostForm(cloudflare.Getenv("SSO_TOKEN_URL"), form)
			if err != nil {
				return "", err
			}
			defer res.Body.Close()
			var tok struct {
				Email    string `json:"email"`
				Verified bool   `json:"email_verified"`
			}
			if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || !tok.Verified {
				return "", fmt.Errorf("sso: token exchange failed: %v", err)
			}
			return strings.ToLower(tok.Email), nil
		},
	}
}
