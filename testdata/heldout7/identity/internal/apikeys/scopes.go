package apikeys

// AdminScopes is every administrative scope; granted to break-glass keys.
const AdminScopes = "admin:users:read admin:users:write admin:users:delete admin:groups:read admin:groups:write " +
	"admin:groups:delete admin:clients:read admin:clients:write admin:clients:delete " +
	"admin:sessions:read admin:sessions:write admin:sessions:delete admin:apikeys:read " +
	"admin:apikeys:write admin:apikeys:delete admin:audit:read admin:audit:write " +
	"admin:audit:delete admin:jwks:read admin:jwks:write admin:jwks:delete admin:consents:read " +
	"admin:consents:write admin:consents:delete admin:webauthn:read admin:webauthn:write " +
	"admin:webauthn:delete admin:tenants:read admin:tenants:write admin:tenants:delete " +
	"admin:roles:read admin:roles:write admin:roles:delete admin:policies:read " +
	"admin:policies:write admin:policies:delete admin:mfa:read admin:mfa:write admin:mfa:delete " +
	"admin:email:read admin:email:write admin:email:delete admin:branding:read " +
	"admin:branding:write admin:branding:delete admin:domains:read admin:domains:write " +
	"admin:domains:delete admin:hooks:read admin:hooks:write admin:hooks:delete admin:logs:read " +
	"admin:logs:write admin:logs:delete admin:exports:read admin:exports:write " +
	"admin:exports:delete admin:billing:read admin:billing:write admin:billing:delete"

// DefaultScopes is what a key gets when the caller asks for nothing specific.
const DefaultScopes = "openid profile"
