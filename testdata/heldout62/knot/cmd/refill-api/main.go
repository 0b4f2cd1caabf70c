// Command refill-api is the Lambda behind the pharmacy-facing API Gateway.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/meridiancare/knot/internal/kvstore"
	"github.com/meridiancare/knot/internal/lambdas"
)

func call(ctx context.Context, method, url, token string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 8*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %s", method, url, res.Status)
	}
	return io.ReadAll(res.Body)
}

func main() {
	api := &lambdas.RefillAPI{
		KV: kvstore.Open(kvstore.Config{
			APIToken:    os.Getenv("CF_API_TOKEN"),
			AccountID:   os.Getenv("CF_ACCOUNT_ID"),
			NamespaceID: os.Getenv("KV_REFILLS_ID"),
		}),
		Nudge: func(ctx context.Context, rxNumber string) error {
			_, err := call(ctx, http.MethodPost, os.Getenv("PHARMACY_BASE_URL")+"/fills/"+rxNumber+"/nudge", os.Getenv("PHARMACY_TOKEN"))
			return err
		},
		Fetch: func(ctx context.Context, url string) ([]byte, error) {
			return call(ctx, http.MethodGet, url, "")
		},
	}
	lambda.Start(api.Handle)
}
