# Llogaritë lokale në portal (ende e papërkthyer: mesazhet shfaqen në italisht).
