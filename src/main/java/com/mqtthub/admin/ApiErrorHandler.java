package com.mqtthub.admin;

import java.util.List;
import java.util.Map;

import com.mqtthub.acl.NoSuchRuleException;
import com.mqtthub.security.NoSuchUserException;
import com.mqtthub.security.UserOperationRefusedException;
import com.mqtthub.security.WeakPasswordException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Clear JSON errors for the admin API: 400 with every field error in words, 404 for what does
 * not exist, 409 for what the hub refuses to do.
 */
@RestControllerAdvice(assignableTypes = { UserApiController.class, AclApiController.class, MonitoringApiController.class })
class ApiErrorHandler {

	@ExceptionHandler(MethodArgumentNotValidException.class)
	ResponseEntity<Map<String, Object>> invalid(MethodArgumentNotValidException ex) {
		List<Map<String, String>> errors = ex.getBindingResult()
			.getAllErrors()
			.stream()
			.map(ApiErrorHandler::fieldError)
			.toList();
		return ResponseEntity.badRequest().body(Map.of("error", "The request has invalid fields", "fields", errors));
	}

	@ExceptionHandler(HttpMessageNotReadableException.class)
	ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException ex) {
		return ResponseEntity.badRequest()
			.body(Map.of("error", "The request body is not the JSON object this endpoint takes", "fields", List.of()));
	}

	@ExceptionHandler({ IllegalArgumentException.class, MethodArgumentTypeMismatchException.class })
	ResponseEntity<Map<String, Object>> badArgument(RuntimeException ex) {
		String message = (ex instanceof MethodArgumentTypeMismatchException mismatch)
				? "'" + mismatch.getName() + "' has the wrong type" : ex.getMessage();
		return ResponseEntity.badRequest().body(Map.of("error", message, "fields", List.of()));
	}

	@ExceptionHandler({ NoSuchUserException.class, NoSuchRuleException.class })
	ResponseEntity<Map<String, Object>> notFound(RuntimeException ex) {
		return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", ex.getMessage()));
	}

	/** A password the policy refuses is a field error like any other. */
	@ExceptionHandler(WeakPasswordException.class)
	ResponseEntity<Map<String, Object>> weakPassword(WeakPasswordException ex) {
		return ResponseEntity.badRequest()
			.body(Map.of("error", "The request has invalid fields", "fields",
					List.of(Map.of("field", "password", "message", ex.getMessage()))));
	}

	@ExceptionHandler(UserOperationRefusedException.class)
	ResponseEntity<Map<String, Object>> refused(UserOperationRefusedException ex) {
		return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", ex.getMessage()));
	}

	private static Map<String, String> fieldError(ObjectError error) {
		String field = (error instanceof FieldError fieldError) ? fieldError.getField() : error.getObjectName();
		if ("forOneSubject".equals(field)) {
			field = "username";
		}
		return Map.of("field", field, "message", String.valueOf(error.getDefaultMessage()));
	}

}
