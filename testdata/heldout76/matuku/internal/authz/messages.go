// Package authz implements the external authorization service that the edge
// proxies (Envoy ext_authz) call before forwarding a request to an internal
// tool. The message types mirror envoy.service.auth.v3 closely enough for the
// JSON bridge the sidecars use; they are hand-written to keep the gateway free
// of the go-control-plane dependency tree.
package authz

import (
	"context"
	"time"
)

// Status codes used in CheckResponse.Status (google.rpc.Code values).
const (
	CodeOK               int32 = 0
	CodePermissionDenied int32 = 7
	CodeUnavailable      int32 = 14
	CodeUnauthenticated  int32 = 16
)

// CheckRequest mirrors envoy.service.auth.v3.CheckRequest.
type CheckRequest struct {
	Attributes *AttributeContext `json:"attributes,omitempty"`
}

func (r *CheckRequest) GetAttributes() *AttributeContext {
	if r != nil {
		return r.Attributes
	}
	return nil
}

// AttributeContext mirrors envoy.service.auth.v3.AttributeContext.
type AttributeContext struct {
	Source            *Peer             `json:"source,omitempty"`
	Request           *Request          `json:"request,omitempty"`
	ContextExtensions map[string]string `json:"context_extensions,omitempty"`
}

func (a *AttributeContext) GetSource() *Peer {
	if a != nil {
		return a.Source
	}
	return nil
}

func (a *AttributeContext) GetRequest() *Request {
	if a != nil {
		return a.Request
	}
	return nil
}

// Peer is the downstream connection.
type Peer struct {
	Address   string `json:"address"`
	Principal string `json:"principal,omitempty"`
}

func (p *Peer) GetAddress() string {
	if p != nil {
		return p.Address
	}
	return ""
}

// Request wraps the HTTP request attributes.
type Request struct {
	Time time.Time    `json:"time"`
	HTTP *HTTPRequest `json:"http,omitempty"`
}

func (r *Request) GetHTTP() *HTTPRequest {
	if r != nil {
		return r.HTTP
	}
	return nil
}

// HTTPRequest mirrors AttributeContext.HttpRequest. Header names are
// lower-cased by the proxy.
type HTTPRequest struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
	Path    string            `json:"path"`
	Host    string            `json:"host"`
	Scheme  string            `json:"scheme"`
}

// Header returns a request header or "".
func (h *HTTPRequest) Header(name string) string {
	if h == nil {
		return ""
	}
	return h.Headers[name]
}

// Status mirrors google.rpc.Status.
type Status struct {
	Code    int32  `json:"code"`
	Message string `json:"message,omitempty"`
}

// HeaderValueOption is a header to add to the upstream request or the reply.
type HeaderValueOption struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Append bool   `json:"append,omitempty"`
}

// OkHTTPResponse carries headers added to the upstream request.
type OkHTTPResponse struct {
	Headers         []HeaderValueOption `json:"headers,omitempty"`
	HeadersToRemove []string            `json:"headers_to_remove,omitempty"`
}

// DeniedHTTPResponse is returned to the client instead of the upstream reply.
type DeniedHTTPResponse struct {
	Status  int                 `json:"status"`
	Headers []HeaderValueOption `json:"headers,omitempty"`
	Body    string              `json:"body,omitempty"`
}

// CheckResponse mirrors envoy.service.auth.v3.CheckResponse.
type CheckResponse struct {
	Status          Status              `json:"status"`
	OkResponse      *OkHTTPResponse     `json:"ok_response,omitempty"`
	DeniedResponse  *DeniedHTTPResponse `json:"denied_response,omitempty"`
	DynamicMetadata map[string]any      `json:"dynamic_metadata,omitempty"`
}

// AuthorizationServer is the service the proxies call.
type AuthorizationServer interface {
	Check(ctx context.Context, req *CheckRequest) (*CheckResponse, error)
}

func denied(code int32, httpStatus int, msg string) *CheckResponse {
	return &CheckResponse{
		Status: Status{Code: code, Message: msg},
		DeniedResponse: &DeniedHTTPResponse{
			Status:  httpStatus,
			Headers: []HeaderValueOption{{Key: "content-type", Value: "application/json"}},
			Body:    `{"error":"` + msg + `"}`,
		},
	}
}
