# Mesazhet me zyrën, përgjigjet ndaj një kërkese për plotësim ose një njoftimi, vendimi (ende e papërkthyer: mesazhet shfaqen në italisht).
