package client

import "github.com/duoredis/redis/command"

// Option and result types of the scripting, pub/sub, connection and server
// commands.
type (
	FlushMode             = command.FlushMode
	FunctionListArgs      = command.FunctionListArgs
	Library               = command.Library
	LibraryFunction       = command.LibraryFunction
	FunctionStats         = command.FunctionStats
	RunningFunction       = command.RunningFunction
	FunctionEngineStats   = command.FunctionEngineStats
	FunctionRestorePolicy = command.FunctionRestorePolicy

	ClientInfo         = command.ClientInfo
	ClientListArgs     = command.ClientListArgs
	ClientKillArgs     = command.ClientKillArgs
	ClientTrackingArgs = command.ClientTrackingArgs
	TrackingInfo       = command.TrackingInfo

	ServerInfo       = command.ServerInfo
	InfoCommon       = command.InfoCommon
	KeyspaceInfo     = command.KeyspaceInfo
	SlowLogEntry     = command.SlowLogEntry
	MemoryStats      = command.MemoryStats
	LatencyEvent     = command.LatencyEvent
	LatencySample    = command.LatencySample
	LatencyHistogram = command.LatencyHistogram
	RoleInfo         = command.RoleInfo
	RoleReplica      = command.RoleReplica
	FailoverArgs     = command.FailoverArgs
	ShutdownArgs     = command.ShutdownArgs
	ModuleInfo       = command.ModuleInfo
	ModuleLoadExArgs = command.ModuleLoadExArgs

	CommandInfo        = command.CommandInfo
	KeySpec            = command.KeySpec
	KeySpecBeginSearch = command.KeySpecBeginSearch
	KeySpecFindKeys    = command.KeySpecFindKeys
	CommandDoc         = command.CommandDoc
	CommandHistory     = command.CommandHistory
	CommandArg         = command.CommandArg
	CommandListFilter  = command.CommandListFilter
	KeyFlags           = command.KeyFlags
)

// Flush modes of FlushDB, FlushAll, ScriptFlush and FunctionFlush.
const (
	FlushDefault = command.FlushDefault
	FlushAsync   = command.FlushAsync
	FlushSync    = command.FlushSync
)

// Restore policies of FunctionRestore.
const (
	FunctionRestoreDefault = command.FunctionRestoreDefault
	FunctionRestoreAppend  = command.FunctionRestoreAppend
	FunctionRestoreReplace = command.FunctionRestoreReplace
	FunctionRestoreFlush   = command.FunctionRestoreFlush
)
