// Package httpx has the small HTTP client helpers shared by the edge and
// the backend.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

type StatusError struct {
	Method, URL string
	Code        int
	Body        string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Code, e.Body)
}

func JSON(v any) io.Reader {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with plain data types
	}
	return bytes.NewReader(b)
}

// Do sends a request with the given header pairs and returns the body of a
// 2xx answer (at most 8 MiB); other answers become a *StatusError.
func Do(ctx context.Context, hc *http.Client, method, url string, body io.Reader, header ...string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode/100 != 2 {
		return nil, &StatusError{Method: method, URL: url, Code: res.StatusCode, Body: string(b[:min(len(b), 200)])}
	}
	return b, nil
}
