//go:build js && wasm

package edge

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/syumai/workers/cloudflare/fetch"
)

// callOrigin sends a request to the origin API and returns the body of
// a 2xx response.
func (a *API) callOrigin(r *http.Request, method, p string, form url.Values) ([]byte, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := fetch.NewRequest(r.Context(), method, a.origin+p, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return nil, fmt.Errorf("origin %s: %s", p, res.Status)
	}
	return io.ReadAll(res.Body)
}

func (a *API) fromOrigin(r *http.Request, p string) (string, error) {
	b, err := a.callOrigin(r, http.MethodGet, p, nil)
	return string(b), err
}

// emailFrom posts form to the origin and returns the e-mail it answers with.
func (a *API) emailFrom(r *http.Request, p string, form url.Values) (string, error) {
	b, err := a.callOrigin(r, http.MethodPost, p, form)
	if err != nil {
		return "", err
	}
	var out struct {
		Email string `json:"email"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.Email == "" {
		return "", errors.Join(errors.New("edge: origin returned no account"), err)
	}
	return out.Email, nil
}

// verify checks the sign-in form against the origin's account service.
func (a *API) verify(r *http.Request) (string, error) {
	return a.emailFrom(r, "/accounts/verify", url.Values{"email": {r.FormValue("email")}, "password": {r.FormValue("password")}})
}

// exchange swaps an OAuth code for the customer's e-mail.
func (a *API) exchange(r *http.Request, code string) (string, error) {
	return a.emailFrom(r, "/oauth/exchange", url.Values{"code": {code}})
}

func (a *API) sendMagicLink(r *http.Request, email, tok string) {
	_, _ = a.callOrigin(r, http.MethodPost, "/mail/magic-link", url.Values{"email": {email}, "token": {tok}})
}
