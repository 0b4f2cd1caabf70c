//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/syumai/workers/cloudflare"
)

// smsSender sends texts through the SMS provider's REST API.
type smsSender struct{}

func (smsSender) Send(phone, text string) error {
	form := url.Values{"To": {phone}, "From": {cloudflare.Getenv("SMS_FROM")}, "Body": {text}}
	req, err := http.NewRequest(http.MethodPost, cloudflare.Getenv("SMS_URL"), strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(cloudflare.Getenv("SMS_ACCOUNT"), cloudflare.Getenv("SMS_TOKEN"))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("sms: %s", res.Status)
	}
	return nil
}

// googleExchange trades an OAuth code for the staff member's Workspace identity
// through the group's identity proxy, which returns "restaurant.role@domain" emails.
func googleExchange(r *http.Request, code string) (email, restaurant, role string, err error) {
	res, err := http.PostForm(cloudflare.Getenv("IDP_EXCHANGE_URL"), url.Values{"code": {code}})
	if err != nil {
		return "", "", "", err
	}
	defer res.Body.Close()
	var info struct {
		Email string `json:"email"`
	}
	if err := json.NewDecoder(res.Body).Decode(&info); err != nil || res.StatusCode != http.StatusOK {
		return "", "", "", fmt.Errorf("staff: code exchange failed: %s", res.Status)
	}
	local, domain, _ := strings.Cut(info.Email, "@")
	if domain != "tablekeep.example" {
		return "", "", "", fmt.Errorf("staff: %s is not a staff account", info.Email)
	}
	restaurant, role, _ = strings.Cut(local, ".")
	return info.Email, restaurant, role, nil
}
