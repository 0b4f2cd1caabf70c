package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"

	"github.com/cityofpitta/pitta/internal/offices"
	"github.com/cityofpitta/pitta/internal/staff"
)

// registryClient talks to the city's master data service.
type registryClient struct{ base string }

func (c registryClient) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("registry %s: %s", path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(v)
}

func (c registryClient) Office(ctx context.Context, slug string) (*offices.Settings, error) {
	var st offices.Settings
	return &st, c.getJSON(ctx, "/offices/"+url.PathEscape(slug), &st)
}

func (c registryClient) CitizenByEmail(ctx context.Context, email string) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	if err := c.getJSON(ctx, "/citizens?email="+url.QueryEscape(email), &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

type mailer struct{}

func (mailer) SendLoginLink(ctx context.Context, to, link string) error {
	return post(ctx, os.Getenv("MAIL_RELAY_URL"), map[string]string{"to": to, "template": "login-link", "link": link})
}

type sms struct{}

func (sms) Send(ctx context.Context, phone, text string) error {
	return post(ctx, os.Getenv("SMS_GATEWAY_URL"), map[string]string{"to": phone, "text": text})
}

type directory struct{}

func (directory) Authenticate(ctx context.Context, user, password string) (*staff.Account, error) {
	var acct staff.Account
	body, _ := json.Marshal(map[string]string{"user": user, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, os.Getenv("STAFF_DIRECTORY_URL")+"/authenticate", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, errors.New("authentication failed")
	}
	return &acct, json.NewDecoder(res.Body).Decode(&acct)
}

func (directory) SetPassword(ctx context.Context, id, password string) error {
	return post(ctx, os.Getenv("STAFF_DIRECTORY_URL")+"/password", map[string]string{"id": id, "password": password})
}

func translate(ctx context.Context, lang, text string) (string, error) {
	var out struct {
		Text string `json:"text"`
	}
	body, _ := json.Marshal(map[string]string{"target": lang, "text": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, os.Getenv("TRANSLATE_URL"), bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	return out.Text, json.NewDecoder(res.Body).Decode(&out)
}

func post(ctx context.Context, endpoint string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s: %s", endpoint, res.Status)
	}
	return nil
}
