// Package s3 parses the subset of the S3 REST protocol the gateway speaks and
// renders its XML responses and errors.
package s3

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Op is an S3 operation resolved from method, path and query.
type Op string

const (
	OpListBuckets     Op = "ListBuckets"
	OpCreateBucket    Op = "CreateBucket"
	OpDeleteBucket    Op = "DeleteBucket"
	OpListObjectsV2   Op = "ListObjectsV2"
	OpPutObject       Op = "PutObject"
	OpCopyObject      Op = "CopyObject"
	OpGetObject       Op = "GetObject"
	OpHeadObject      Op = "HeadObject"
	OpDeleteObject    Op = "DeleteObject"
	OpDeleteObjects   Op = "DeleteObjects"
	OpPutTagging      Op = "PutObjectTagging"
	OpGetTagging      Op = "GetObjectTagging"
	OpCreateMultipart Op = "CreateMultipartUpload"
	OpUploadPart      Op = "UploadPart"
	OpListParts       Op = "ListParts"
	OpComplete        Op = "CompleteMultipartUpload"
	OpAbort           Op = "AbortMultipartUpload"
	OpPutLifecycle    Op = "PutBucketLifecycleConfiguration"
	OpPutWebsite      Op = "PutBucketWebsite"
	OpUnknown         Op = ""
)

// Request is a parsed S3 request.
type Request struct {
	Op      Op
	Bucket  string
	Key     string
	Query   url.Values
	Header  http.Header
	Virtual bool
}

// Parse resolves bucket, key and operation. baseDomain is the apex served by
// the gateway, e.g. "s3.tui.dev"; a Host of "photos.s3.tui.dev" addresses the
// bucket "photos" in virtual-hosted style.
func Parse(r *http.Request, baseDomain string) (*Request, *Error) {
	req := &Request{Query: r.URL.Query(), Header: r.Header}
	host := r.Host
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	if sub, ok := strings.CutSuffix(host, "."+baseDomain); ok && sub != "" {
		req.Bucket, req.Virtual = sub, true
		req.Key = path
	} else {
		req.Bucket, req.Key, _ = strings.Cut(path, "/")
	}
	var err error
	if req.Key, err = url.PathUnescape(req.Key); err != nil {
		return nil, ErrInvalidURI
	}
	if len(req.Key) > 1024 {
		return nil, ErrKeyTooLong
	}
	req.Op = dispatch(r.Method, req)
	if req.Op == OpUnknown {
		return nil, ErrNotImplemented
	}
	return req, nil
}

func dispatch(method string, r *Request) Op {
	q := r.Query
	if id := q.Get("x-id"); id != "" {
		return Op(id)
	}
	_, uploads := q["uploads"]
	uploadID := q.Get("uploadId")
	switch {
	case r.Bucket == "":
		if method == http.MethodGet {
			return OpListBuckets
		}
	case r.Key == "":
		switch method {
		case http.MethodPut:
			if _, ok := q["lifecycle"]; ok {
				return OpPutLifecycle
			}
			if _, ok := q["website"]; ok {
				return OpPutWebsite
			}
			return OpCreateBucket
		case http.MethodDelete:
			return OpDeleteBucket
		case http.MethodGet:
			return OpListObjectsV2
		case http.MethodPost:
			if _, ok := q["delete"]; ok {
				return OpDeleteObjects
			}
		}
	default:
		_, tagging := q["tagging"]
		switch method {
		case http.MethodPut:
			switch {
			case tagging:
				return OpPutTagging
			case uploadID != "":
				return OpUploadPart
			case r.Header.Get("x-amz-copy-source") != "":
				return OpCopyObject
			}
			return OpPutObject
		case http.MethodGet:
			if tagging {
				return OpGetTagging
			}
			if uploadID != "" {
				return OpListParts
			}
			return OpGetObject
		case http.MethodHead:
			return OpHeadObject
		case http.MethodDelete:
			if uploadID != "" {
				return OpAbort
			}
			return OpDeleteObject
		case http.MethodPost:
			if uploads {
				return OpCreateMultipart
			}
			if uploadID != "" {
				return OpComplete
			}
		}
	}
	return OpUnknown
}

// IntParam reads an integer query parameter with a default.
func (r *Request) IntParam(name string, def int) (int, *Error) {
	v := r.Query.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, ErrInvalidArgument
	}
	return n, nil
}

// UserMetadata collects x-amz-meta-* headers, lower-cased without the prefix.
func UserMetadata(h http.Header) map[string]string {
	out := map[string]string{}
	for name, vals := range h {
		if k, ok := strings.CutPrefix(strings.ToLower(name), "x-amz-meta-"); ok && len(vals) > 0 {
			out[k] = vals[0]
		}
	}
	return out
}

// Error is an S3 error document.
type Error struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource,omitempty"`
	RequestID string   `xml:"RequestId,omitempty"`
	Status    int      `xml:"-"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newErr(status int, code, msg string) *Error {
	return &Error{Status: status, Code: code, Message: msg}
}

var (
	ErrNoSuchBucket       = newErr(404, "NoSuchBucket", "The specified bucket does not exist.")
	ErrNoSuchKey          = newErr(404, "NoSuchKey", "The specified key does not exist.")
	ErrNoSuchUpload       = newErr(404, "NoSuchUpload", "The specified multipart upload does not exist.")
	ErrBucketExists       = newErr(409, "BucketAlreadyExists", "The requested bucket name is not available.")
	ErrBucketNotEmpty     = newErr(409, "BucketNotEmpty", "The bucket you tried to delete is not empty.")
	ErrInvalidArgument    = newErr(400, "InvalidArgument", "Invalid Argument")
	ErrInvalidPart        = newErr(400, "InvalidPart", "One or more of the specified parts could not be found.")
	ErrInvalidPartOrder   = newErr(400, "InvalidPartOrder", "The list of parts was not in ascending order.")
	ErrInvalidURI         = newErr(400, "InvalidURI", "Couldn't parse the specified URI.")
	ErrKeyTooLong         = newErr(400, "KeyTooLongError", "Your key is too long.")
	ErrEntityTooLarge     = newErr(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.")
	ErrMalformedXML       = newErr(400, "MalformedXML", "The XML you provided was not well-formed.")
	ErrAccessDenied       = newErr(403, "AccessDenied", "Access Denied")
	ErrSignatureMismatch  = newErr(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
	ErrExpiredToken       = newErr(400, "ExpiredToken", "The provided token has expired.")
	ErrSlowDown           = newErr(503, "SlowDown", "Please reduce your request rate.")
	ErrInternal           = newErr(500, "InternalError", "We encountered an internal error. Please try again.")
	ErrNotImplemented     = newErr(501, "NotImplemented", "A header you provided implies functionality that is not implemented.")
	ErrInvalidBucketName  = newErr(400, "InvalidBucketName", "The specified bucket is not valid.")
	ErrPreconditionFailed = newErr(412, "PreconditionFailed", "At least one of the preconditions you specified did not hold.")
	ErrQuotaExceeded      = newErr(403, "QuotaExceeded", "The bucket has reached its storage quota.")
)

// WriteError renders an S3 error document.
func WriteError(w http.ResponseWriter, e *Error, resource, requestID string) {
	doc := *e
	doc.Resource, doc.RequestID = resource, requestID
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(doc)
}

// WriteXML renders a successful XML response body.
func WriteXML(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(v)
}
