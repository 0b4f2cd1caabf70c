package metering

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/dunlin-dev/dunlin/internal/kvstore"
)

// Badges serves GET /badge/{tenant}.svg through API Gateway: the "deployed
// with dunlin, N builds this month" badge that tenants embed in READMEs.
// Rendering is done by the renderer service; KV caches its SVG.
type Badges struct {
	cache    *kvstore.Namespace
	client   *http.Client
	renderer string
}

func NewBadges(cache *kvstore.Namespace, client *http.Client, rendererURL string) *Badges {
	return &Badges{cache: cache, client: client, renderer: rendererURL}
}

func svg(body []byte, status int) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=300"},
		Body:       string(body),
	}
}

// maxAge returns the max-age directive of a Cache-Control header.
func maxAge(cc string) time.Duration {
	for _, d := range strings.Split(cc, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(d), "max-age="); ok {
			if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				return time.Duration(n) * time.Second
			}
		}
	}
	return 0
}

func (b *Badges) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	tenant := strings.TrimSuffix(req.PathParameters["tenant"], ".svg")
	if tenant == "" {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusNotFound}, nil
	}
	_ = b.cache.Put(ctx, "badge:last-served", []byte(tenant+" "+time.Now().UTC().Format(time.RFC3339))) // EXPECT kvhotkey

	key := "badge:" + tenant
	if cached, err := b.cache.Get(ctx, key); err == nil {
		return svg(cached, http.StatusOK), nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusBadGateway}, err
	}

	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, b.renderer+"/render?tenant="+url.QueryEscape(tenant), nil)
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, err
	}
	resp, err := b.client.Do(hreq)
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusBadGateway}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil || resp.StatusCode != http.StatusOK {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusBadGateway}, err
	}
	ttl := max(maxAge(resp.Header.Get("Cache-Control")), 10*time.Second)
	if err := b.cache.PutTTL(ctx, key, body, ttl); err != nil { // EXPECT kvttl
		return svg(body, http.StatusOK), nil
	}
	return svg(body, http.StatusOK), nil
}
