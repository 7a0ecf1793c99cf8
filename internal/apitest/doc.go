// Package apitest holds the test that no exported declaration of a public
// package of the module names a type of an internal package: what go doc
// shows a user must be reachable by the user.
package apitest
