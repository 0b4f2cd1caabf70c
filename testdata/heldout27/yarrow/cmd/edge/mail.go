//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"example.com/yarrow/internal/domain"
)

// mailer posts login links to the transactional e-mail provider.
type mailer struct{ endpoint string }

func (m mailer) SendLoginLink(ctx context.Context, to domain.Email, url string) error {
	body, _ := json.Marshal(map[string]string{"to": string(to.Normalize()), "template": "login-link", "link": url})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("mailer: %s", res.Status)
	}
	return nil
}
