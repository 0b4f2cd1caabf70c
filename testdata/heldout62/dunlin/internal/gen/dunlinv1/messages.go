// Code generated from dunlin/v1/*.proto. DO NOT EDIT.
// (Plain-struct messages; the wire format is protojson-compatible JSON.)

// Package dunlinv1 holds the request and response messages of the
// dunlin.v1 API.
package dunlinv1

type (
	CreateKeyRequest struct {
		TenantId string   `json:"tenant_id,omitempty"`
		Name     string   `json:"name,omitempty"`
		Scopes   []string `json:"scopes,omitempty"`
	}
	CreateKeyResponse struct {
		KeyId  string `json:"key_id,omitempty"`
		Secret string `json:"secret,omitempty"`
	}
	RevokeKeyRequest struct {
		TenantId string `json:"tenant_id,omitempty"`
		KeyId    string `json:"key_id,omitempty"`
	}
	RevokeKeyResponse    struct{}
	RevokeAllKeysRequest struct {
		TenantId string `json:"tenant_id,omitempty"`
	}
	RevokeAllKeysResponse struct {
		Revoked int32 `json:"revoked,omitempty"`
	}
	ListKeysRequest struct {
		TenantId  string `json:"tenant_id,omitempty"`
		PageSize  int32  `json:"page_size,omitempty"`
		PageToken string `json:"page_token,omitempty"`
	}
	KeySummary struct {
		KeyId     string `json:"key_id,omitempty"`
		Name      string `json:"name,omitempty"`
		CreatedAt int64  `json:"created_at,omitempty"`
	}
	ListKeysResponse struct {
		Keys          []*KeySummary `json:"keys,omitempty"`
		NextPageToken string        `json:"next_page_token,omitempty"`
	}
)

type (
	CreateTokenRequest struct {
		UserId    string `json:"user_id,omitempty"`
		Name      string `json:"name,omitempty"`
		ExpiresAt int64  `json:"expires_at,omitempty"`
	}
	CreateTokenResponse struct {
		TokenId   string `json:"token_id,omitempty"`
		Token     string `json:"token,omitempty"`
		ExpiresAt int64  `json:"expires_at,omitempty"`
	}
	RevokeTokenRequest struct {
		TokenId string `json:"token_id,omitempty"`
	}
	RevokeTokenResponse struct{}
	RotateTokenRequest  struct {
		TokenId string `json:"token_id,omitempty"`
	}
	StartDeviceAuthRequest struct {
		ClientId string `json:"client_id,omitempty"`
		Scope    string `json:"scope,omitempty"`
	}
	StartDeviceAuthResponse struct {
		DeviceCode      string `json:"device_code,omitempty"`
		UserCode        string `json:"user_code,omitempty"`
		VerificationUri string `json:"verification_uri,omitempty"`
		ExpiresIn       int32  `json:"expires_in,omitempty"`
		Interval        int32  `json:"interval,omitempty"`
	}
	ApproveDeviceRequest struct {
		UserCode string `json:"user_code,omitempty"`
		UserId   string `json:"user_id,omitempty"`
	}
	ApproveDeviceResponse struct{}
	PollDeviceAuthRequest struct {
		DeviceCode string `json:"device_code,omitempty"`
	}
	PollDeviceAuthResponse struct {
		Status string `json:"status,omitempty"`
		Token  string `json:"token,omitempty"`
	}
)

func (x *CreateKeyRequest) GetScopes() []string {
	if x != nil {
		return x.Scopes
	}
	return nil
}

func (x *ListKeysRequest) GetPageToken() string {
	if x != nil {
		return x.PageToken
	}
	return ""
}

func (x *CreateTokenRequest) GetExpiresAt() int64 {
	if x != nil {
		return x.ExpiresAt
	}
	return 0
}
